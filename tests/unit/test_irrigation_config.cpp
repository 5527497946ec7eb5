// The irrigation section of a scenario read into IrrigationData.
#include <gtest/gtest.h>

#include "io/config.hpp"

namespace gwsim {
namespace {

TEST(IrrigationConfig, DistrictCropsMethodsAndCells) {
  const ModelData m = read_scenario(std::string(GWSIM_TEST_DATA) + "/unit/data/irrigation.yaml");
  const IrrigationData& irr = m.irrigation;
  EXPECT_DOUBLE_EQ(irr.reference_et[5], 0.005);
  EXPECT_DOUBLE_EQ(irr.precipitation[6], 0.005);
  EXPECT_DOUBLE_EQ(irr.effective_precipitation, 0.7); // default
  ASSERT_EQ(irr.crops.size(), 1u);
  EXPECT_DOUBLE_EQ(irr.crops[0].kc[3], 1.1);
  ASSERT_EQ(irr.methods.size(), 1u);
  EXPECT_DOUBLE_EQ(irr.methods[0].efficiency, 0.6);
  ASSERT_EQ(irr.districts.size(), 1u);
  const District& d = irr.districts[0];
  // id 1 covers rows 1-2, columns 2-3 of the 4 x 5 map: columns 1, 2, 6, 7.
  EXPECT_EQ(d.columns, (std::vector<Index>{1, 2, 6, 7}));
  EXPECT_EQ(d.crop_fraction, (std::vector<double>(4, 0.8)));
  ASSERT_EQ(d.methods.size(), 1u);
  EXPECT_EQ(d.methods[0].from_year, 2015);
  EXPECT_EQ(d.pumping_layers, (std::vector<int>{1})); // one-based 2 -> zero-based 1
  EXPECT_FALSE(d.imported);
  EXPECT_EQ(d.canal, -1);
  EXPECT_FALSE(d.irrigate_short);
}

} // namespace
} // namespace gwsim
