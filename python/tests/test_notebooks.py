"""The notebooks in python/notebooks run clean (nbclient) on small results,
in a kernel that is this interpreter, and are committed without outputs."""
import json
import sys
from pathlib import Path

import nbformat
import pytest

import scenarios as s

nbclient = pytest.importorskip("nbclient")

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))
QUICKSTART = Path(__file__).resolve().parents[1] / "notebooks" / "quickstart.ipynb"
HENGSHUI = Path(__file__).resolve().parents[1] / "notebooks" / "hengshui_comparison.ipynb"
COARSE = Path(__file__).resolve().parents[2] / "tests" / "regression" / "hengshui_coarse"


@pytest.fixture
def kernel_env(tmp_path, monkeypatch):
    """A 'python3' kernel spec that runs this interpreter, found first on JUPYTER_PATH,
    and runtime/config dirs in tmp so that nothing depends on $HOME."""
    spec_dir = tmp_path / "jupyter" / "kernels" / "python3"
    spec_dir.mkdir(parents=True)
    (spec_dir / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (tests)", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path / "runtime"))
    monkeypatch.setenv("JUPYTER_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    monkeypatch.setenv("MPLCONFIGDIR", str(tmp_path / "mpl"))
    monkeypatch.delenv("MPLBACKEND", raising=False)  # the kernel's inline backend makes PNG outputs
    monkeypatch.setenv("PYDEVD_DISABLE_FILE_VALIDATION", "1")  # ipykernel's debugger warns otherwise
    from jupyter_client.kernelspec import KernelSpecManager
    assert KernelSpecManager().get_kernel_spec("python3").argv[0] == sys.executable
    return tmp_path


def execute(path, cwd):
    notebook = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(notebook, kernel_name="python3", timeout=120,
                                     resources={"metadata": {"path": str(cwd)}})
    client.execute()
    errors = [o for c in notebook.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.output_type == "error"]
    assert not errors, errors
    return notebook


def _text(notebook):
    return "\n".join(o.get("text", "") for c in notebook.cells if c.cell_type == "code"
                     for o in c.get("outputs", []) if o.output_type == "stream")


def test_notebooks_exist():
    assert [p.name for p in NOTEBOOKS] == ["hengshui_comparison.ipynb", "quickstart.ipynb"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_without_outputs(path):
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{path.name} has outputs"


def test_quickstart_runs_a_scenario(kernel_env, gwsim_binary, monkeypatch):
    """The notebook runs the two-layer transient scenario itself, then plots it."""
    scenario = kernel_env / "transient.yaml"
    scenario.write_text(s.TRANSIENT)
    result = kernel_env / "out" / "transient.h5"
    monkeypatch.setenv("GWSIM_SCENARIO", str(scenario))
    monkeypatch.setenv("GWSIM_RESULT", str(result))
    monkeypatch.setenv("GWSIM_BINARY", str(gwsim_binary))
    notebook = execute(QUICKSTART, QUICKSTART.parent)
    assert result.exists()
    text = _text(notebook)
    assert "gwsim 0.1.0: Two-layer transient" in text  # the run summary
    assert f"from {Path(__file__).resolve().parents[1] / 'gwsim'}" in text  # the package under test
    images = sum(1 for c in notebook.cells if c.cell_type == "code" for o in c.get("outputs", [])
                 if "image/png" in o.get("data", {}))
    assert images == 6  # head, depth to water, drawdown, section, hydrographs, budget


def test_quickstart_on_an_existing_result(kernel_env, thiem_run, monkeypatch):
    """One saved time and no observations: the notebook says so instead of failing."""
    monkeypatch.setenv("GWSIM_RESULT", str(thiem_run.path))
    notebook = execute(QUICKSTART, QUICKSTART.parent)
    text = _text(notebook)
    assert "using the existing result" in text
    assert "one saved time: no drawdown" in text
    assert "no observations (group /observations missing)" in text


def test_hengshui_comparison_on_the_coarse_model(kernel_env, gwsim_binary, monkeypatch):
    """The comparison notebook on the coarse Hengshui copy (2 km, 2015-2017, all five
    scenarios, run here with the real binary): it writes comparison.h5 itself and
    draws every figure; its table shows the combined programme raising the deep head."""
    import shutil
    import subprocess
    model = kernel_env / "hengshui_coarse"
    shutil.copytree(COARSE, model)
    results = kernel_env / "results"
    results.mkdir()
    names = ["baseline", "ponds-canals", "diversion-district", "water-saving", "combined"]
    for name in names:
        subprocess.run([str(gwsim_binary), "run", "-q", "-t", "1", str(model / f"{name}.yaml"),
                        "-o", str(results / f"{name}.h5")], check=True, capture_output=True)
    monkeypatch.setenv("GWSIM_HENGSHUI_DIR", str(results))
    monkeypatch.setenv("GWSIM_BINARY", str(gwsim_binary))
    notebook = execute(HENGSHUI, HENGSHUI.parent)
    assert (results / "comparison.h5").exists()
    text = _text(notebook)
    for name in names:
        assert name in text
    images = sum(1 for c in notebook.cells if c.cell_type == "code" for o in c.get("outputs", [])
                 if "image/png" in o.get("data", {}))
    # 2 hydrographs, 2 difference maps, county ranking, 2 district balances, budget
    assert images == 8
    # The printed summary of the change table: combined raises the cone-centre deep head.
    import re
    found = re.search(r"combined: cone-centre deep head ([+-][0-9.]+) m", text)
    assert found, text[-3000:]
    assert float(found.group(1)) > 0.0
