#include "io/config_irrigation.hpp"

#include <fmt/format.h>

#include <cmath>
#include <map>

#include "io/config_arrays.hpp"
#include "io/config_stresses.hpp"

namespace gwsim {

namespace {

/// Twelve monthly values, January first.
std::array<double, 12> read_monthly(const ConfigNode& n, const Bound& bound) {
  n.expect_list("a list of 12 monthly values, January first");
  if (n.size() != 12) n.fail_here(fmt::format("expected 12 monthly values (January..December), found {}", n.size()));
  std::array<double, 12> v{};
  for (std::size_t i = 0; i < 12; ++i) v[i] = n[i].as_double(bound);
  return v;
}

/// Index of the entry named by `n` among `names`, with a did-you-mean.
std::size_t find_name(const ConfigNode& n, const std::vector<std::string>& names, const char* what) {
  const std::string name = n.as_string();
  for (std::size_t i = 0; i < names.size(); ++i)
    if (names[i] == name) return i;
  const auto near = nearest(name, names);
  n.fail(fmt::format("no {} of that name{}", what, near ? fmt::format("; did you mean '{}'?", *near) : ""));
}

std::vector<int> read_int_list(const ConfigNode& n, const Bound& bound, const char* what) {
  n.expect_list(what);
  std::vector<int> v;
  for (std::size_t i = 0; i < n.size(); ++i) v.push_back(n[i].as_int(bound));
  return v;
}

} // namespace

IrrigationData read_irrigation(const ConfigNode& node, const Grid& g, const std::vector<RiverReach>& riv) {
  node.expect_map("a mapping {reference_et, precipitation, effective_precipitation, crops, methods, "
                  "district_map, districts}");
  IrrigationData irr;
  irr.reference_et = read_monthly(node.required("reference_et"), Bound::non_negative("m/d"));
  irr.precipitation = read_monthly(node.required("precipitation"), Bound::non_negative("m/d"));
  if (auto n = node.optional("effective_precipitation")) irr.effective_precipitation = n->as_double(Bound::between(0.0, 1.0));

  std::vector<std::string> crop_names, method_names, canal_names;
  irr.crops = read_named_list<Crop>(node.required("crops"), [&](const ConfigNode& e, const std::string&) {
    Crop c;
    c.kc = read_monthly(e.required("kc"), Bound::non_negative());
    return c;
  });
  for (const Crop& c : irr.crops) crop_names.push_back(c.name);
  irr.methods = read_named_list<IrrigationMethod>(node.required("methods"), [&](const ConfigNode& e, const std::string&) {
    IrrigationMethod m;
    const ConfigNode eff = e.required("efficiency");
    m.efficiency = eff.as_double(Bound::between(0.0, 1.0));
    if (m.efficiency <= 0.0) eff.fail("must be > 0 (a share of the applied water)");
    m.percolation = e.required("percolation").as_double(Bound::between(0.0, 1.0));
    return m;
  });
  for (const IrrigationMethod& m : irr.methods) method_names.push_back(m.name);
  for (const RiverReach& r : riv) canal_names.push_back(r.name);

  const ConfigNode map_node = node.required("district_map");
  const std::vector<double> map = read_array2d(map_node, g, {Bound::non_negative()});
  irr.districts = read_named_list<District>(node.required("districts"), [&](const ConfigNode& e, const std::string& owner) {
    District d;
    const ConfigNode id_node = e.required("id");
    const int id = id_node.as_int(Bound::at_least(1));
    for (Index c = 0; c < g.ncell_layer(); ++c) {
      bool any_active = false;
      for (Index k = 0; k < g.nlay; ++k) any_active = any_active || g.is_active(k * g.ncell_layer() + c);
      if (map[std::size_t(c)] == id && any_active) d.columns.push_back(c);
    }
    if (d.columns.empty())
      id_node.fail(fmt::format("{}: district_map has no active cell with this id, so the district has no cells", owner));
    // Crops: {crop name: share of each cell's area}.
    const ConfigNode crops = e.required("crops");
    crops.expect_map("a mapping {crop name: share of each cell's area (0..1)}");
    d.crop_fraction.assign(irr.crops.size() * d.columns.size(), 0.0);
    for (const auto& [key, value] : crops.entries()) {
      const std::size_t k = find_name(key, crop_names, "crop in irrigation.crops");
      const double share = value.as_double(Bound::between(0.0, 1.0));
      for (std::size_t c = 0; c < d.columns.size(); ++c) d.crop_fraction[k * d.columns.size() + c] = share;
    }
    // Method mix by year: {year: {method: share}}; shares add to 1.
    const ConfigNode mixes = e.required("methods");
    mixes.expect_map("a mapping {year: {method name: share, ...}, ...}");
    for (const auto& [year_key, mix] : mixes.entries()) {
      MethodMix mm;
      mm.from_year = year_key.as_int(Bound::between(1900, 2200));
      mm.share.assign(irr.methods.size(), 0.0);
      mix.expect_map("a mapping {method name: share}");
      double sum = 0.0;
      for (const auto& [mkey, mval] : mix.entries()) {
        mm.share[find_name(mkey, method_names, "method in irrigation.methods")] = mval.as_double(Bound::between(0.0, 1.0));
        sum += mval.as_double();
      }
      if (std::abs(sum - 1.0) > 1e-6) mix.fail_here(fmt::format("method shares add up to {}, not 1", sum));
      if (!d.methods.empty() && mm.from_year <= d.methods.back().from_year)
        year_key.fail_here("years must increase");
      d.methods.push_back(mm);
    }
    if (d.methods.empty()) mixes.fail_here("at least one year's method mix is needed");
    if (auto fl = e.optional("fallowing")) {
      fl->expect_list("a list of {crop, share, months, years}");
      for (std::size_t i = 0; i < fl->size(); ++i) {
        const ConfigNode f = (*fl)[i];
        f.expect_map("{crop, share, months, years}");
        Fallowing fw;
        fw.crop = find_name(f.required("crop"), crop_names, "crop in irrigation.crops");
        fw.share = f.required("share").as_double(Bound::between(0.0, 1.0));
        fw.months = read_int_list(f.required("months"), Bound::between(1, 12), "a list of months (1-12)");
        if (auto y = f.optional("years")) fw.years = read_int_list(*y, Bound::between(1900, 2200), "a list of years");
        f.done();
        d.fallowing.push_back(fw);
      }
    }
    if (auto sw = e.optional("surface_water")) {
      sw->expect_map("a mapping {canal | imported, capacity, allotment, conveyance_efficiency, conveyance_percolation}");
      const bool canal = sw->has("canal"), imported = sw->has("imported");
      if (canal == imported) sw->fail_here("give exactly one of canal: <name in stresses.riv> or imported: true");
      if (canal) d.canal = int(find_name(sw->required("canal"), canal_names, "reach in stresses.riv"));
      else d.imported = sw->required("imported").as_bool();
      if (auto n = sw->optional("capacity")) d.sw_capacity = n->as_double(Bound::positive("m3/d"));
      if (auto n = sw->optional("allotment")) d.sw_allotment = n->as_double(Bound::positive("m3/yr"));
      const ConfigNode ce = sw->required("conveyance_efficiency");
      d.conveyance_efficiency = ce.as_double(Bound::between(0.0, 1.0));
      if (d.conveyance_efficiency <= 0.0) ce.fail("must be > 0 (a share of the diverted water)");
      if (auto n = sw->optional("conveyance_percolation")) d.conveyance_percolation = n->as_double(Bound::between(0.0, 1.0));
      sw->done();
    }
    const ConfigNode gw = e.required("groundwater");
    gw.expect_map("a mapping {layers: {layer: share}, allotment, deficit}");
    const ConfigNode layers = gw.required("layers");
    layers.expect_map("a mapping {layer (1-based): share of the pumping}");
    double sum = 0.0;
    for (const auto& [lk, lv] : layers.entries()) {
      const int layer = lk.as_int(Bound::between(1, double(g.nlay)));
      d.pumping_layers.push_back(layer - 1);
      d.pumping_shares.push_back(lv.as_double(Bound::between(0.0, 1.0)));
      sum += d.pumping_shares.back();
    }
    if (std::abs(sum - 1.0) > 1e-6) layers.fail_here(fmt::format("pumping shares add up to {}, not 1", sum));
    if (auto n = gw.optional("allotment")) d.gw_allotment = n->as_double(Bound::non_negative("m3/yr"));
    if (auto n = gw.optional("deficit")) d.irrigate_short = n->as_choice({"pump", "short"}) == 1;
    gw.done();
    return d;
  });
  node.done();
  return irr;
}

} // namespace gwsim
