"""python -m gwsim report RESULT.h5 [OTHER.h5 ...] [--comparison COMPARISON.h5] -o DIR"""
import argparse
import sys


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gwsim", description="gwsim result tools")
    commands = parser.add_subparsers(dest="command", required=True)
    report = commands.add_parser(
        "report", help="write the standard figures (PNG) and an index.html with the key numbers",
        description="Write the standard figures of one or several results as PNG files and an index.html "
                    "that shows them with the key numbers; with several results, differences are "
                    "against the first. Comparison files written by `gwsim compare` (given with --comparison, or "
                    "among the results: recognised by their root attribute format) add county rankings.")
    report.add_argument("results", nargs="*", metavar="RESULT",
                        help="gwsim result files (.h5); comparison files among them are recognised")
    report.add_argument("-c", "--comparison", action="append", default=[], metavar="COMPARISON",
                        help="comparison.h5 written by `gwsim compare` (repeatable): adds county rankings "
                             "by groundwater volume saved")
    report.add_argument("-o", "--output", required=True, help="output directory (created if missing)")
    report.add_argument("--dpi", type=int, default=110, help="PNG resolution (default 110)")
    report.add_argument("-j", "--jobs", type=int, default=None,
                        help="processes drawing figures (default: one per core, at most 8)")
    args = parser.parse_args(argv)
    if not args.results and not args.comparison:
        report.error("give at least one RESULT file (or --comparison COMPARISON)")

    import matplotlib
    matplotlib.use("Agg")
    from .report import write_report
    try:
        index = write_report(args.results, args.output, dpi=args.dpi, comparisons=args.comparison,
                             jobs=args.jobs)
    except (OSError, ValueError, KeyError) as error:
        print(f"gwsim report: {error}", file=sys.stderr)
        return 1
    print(index)
    return 0


if __name__ == "__main__":
    sys.exit(main())
