#pragma once
/// Plain descriptions of irrigation districts (the semantics follow
/// MODFLOW-OWHM's Farm Process): crops and their water use, irrigation
/// methods, surface-water supply from a canal and groundwater pumping for
/// the rest, in m and d.
#include <array>
#include <string>
#include <vector>

#include "core/types.hpp"

namespace gwsim {

/// A crop: monthly crop coefficient Kc (crop ET = Kc x reference ET);
/// Kc = 0 in months the crop is not in the field.
struct Crop {
  std::string name;
  std::array<double, 12> kc{}; ///< January..December
};

/// An irrigation method: the share of applied water the crop uses, and the
/// share of the rest (the losses) that percolates to the water table.
struct IrrigationMethod {
  std::string name;
  double efficiency = 0.6;  ///< application efficiency, 0 < e <= 1
  double percolation = 1.0; ///< share of losses reaching the water table, 0..1
};

/// Part of a crop's area left unirrigated in some months of some years.
struct Fallowing {
  std::size_t crop = 0;
  double share = 0.0;       ///< 0..1 of the crop's area
  std::vector<int> months;  ///< 1-12
  std::vector<int> years;   ///< calendar years; empty = every year
};

/// The method mix of a district from a calendar year on (shares add to 1).
struct MethodMix {
  int from_year = 0;
  std::vector<double> share; ///< per method, in IrrigationData::methods order
};

struct District {
  std::string name;
  std::vector<Index> columns;          ///< row * ncol + col of every cell in the district
  std::vector<double> crop_fraction;   ///< [crop * ncolumns + c]: share of cell area under each crop
  std::vector<Fallowing> fallowing;
  std::vector<MethodMix> methods;      ///< by year, increasing from_year
  // Surface water.
  int canal = -1;                      ///< index into Stresses::riv, -1 = imported or none
  bool imported = false;               ///< surface water from outside the model (needs no canal water)
  double sw_allotment = 0.0;           ///< m3 per calendar year delivered at the canal head (0 = none)
  double sw_capacity = 0.0;            ///< m3/d largest diversion
  double conveyance_efficiency = 1.0;  ///< share of the diversion that reaches the fields
  double conveyance_percolation = 1.0; ///< share of conveyance losses reaching the water table
  // Groundwater.
  std::vector<int> pumping_layers;     ///< zero-based layers
  std::vector<double> pumping_shares;  ///< per pumping layer, adding to 1
  double gw_allotment = -1.0;          ///< m3 per calendar year, < 0 = none
  bool irrigate_short = false;         ///< at the allotment: true = leave demand unmet, false = pump anyway
};

struct IrrigationData {
  std::array<double, 12> reference_et{};   ///< m/d by month
  std::array<double, 12> precipitation{};  ///< m/d by month
  double effective_precipitation = 0.7;    ///< share of precipitation the crops use (at most their ET)
  std::vector<Crop> crops;
  std::vector<IrrigationMethod> methods;
  std::vector<District> districts;
  bool empty() const { return districts.empty(); }
};

} // namespace gwsim
