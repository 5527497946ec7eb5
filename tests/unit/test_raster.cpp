// ESRI ASCII grid and CSV matrix readers: values in (row, col) order and
// errors located in the raster file.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "io/raster.hpp"
#include "support/scratch_dir.hpp"

namespace gwsim {
namespace {

const std::string data_dir = std::string(GWSIM_TEST_DATA) + "/unit/data";

/// A raster file in a fresh temporary folder, removed afterwards.
class RasterFile : public ::testing::Test {
protected:
  void SetUp() override {
    dir_ = test::fresh_test_dir("gwsim_raster");
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string write(const std::string& name, const std::string& text) {
    const std::string path = (dir_ / name).string();
    std::ofstream(path) << text;
    return path;
  }
  /// The message of the InputError thrown by `read`, or "no error".
  template <class F> std::string error_of(F read) {
    try {
      read();
    } catch (const InputError& e) {
      return e.what();
    }
    return "no error";
  }
  std::filesystem::path dir_;
};

const char* header = "ncols 3\nnrows 2\nxllcenter 5\nyllcenter 5\ncellsize 10\nnodata_value -9999\n";

TEST(Raster, AscHeaderAndValues) {
  const Raster r = read_asc(data_dir + "/top.asc", {3, 4, {}});
  EXPECT_EQ(r.nrow, 3);
  EXPECT_EQ(r.ncol, 4);
  ASSERT_TRUE(r.header);
  EXPECT_EQ(r.header->xll, 1000.0);
  EXPECT_FALSE(r.header->xll_is_center);
  EXPECT_EQ(r.header->cellsize, 100.0);
  EXPECT_EQ(r.header->nodata_value, -9999.0);
  EXPECT_EQ(r.values, (std::vector<double>{10, 10, 11, 11, 10, 12, 12, 11, 9, 9, 10, 10}));
}

TEST(Raster, CsvWithSpacesAndTrailingBlankLine) {
  const Raster r = read_raster(data_dir + "/k.csv", {3, 4, {}});
  EXPECT_EQ(r.values, (std::vector<double>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}));
  EXPECT_FALSE(r.header);
}

TEST_F(RasterFile, AscValuesMayWrapLinesAndUseCentres) {
  const auto path = write("a.asc", std::string(header) + "1 2\n3 4 5 6\n");
  const Raster r = read_asc(path, {2, 3, {}});
  EXPECT_TRUE(r.header->xll_is_center);
  EXPECT_EQ(r.values, (std::vector<double>{1, 2, 3, 4, 5, 6}));
}

TEST_F(RasterFile, AscWrongShape) {
  const auto path = write("a.asc", std::string(header) + "1 2 3\n4 5 6\n");
  EXPECT_EQ(error_of([&] { read_asc(path, {3, 3, {}}); }),
            path + ":1:1: the raster is 2 x 3 (nrows x ncols), expected 3 x 3 (nrow x ncol of the grid)");
}

TEST_F(RasterFile, AscNonNumericTokenIsLocated) {
  const auto path = write("a.asc", std::string(header) + "1 2 3\n4 abc 6\n");
  EXPECT_EQ(error_of([&] { read_asc(path, {2, 3, {}}); }), path + ":8:3: 'abc' is not a number");
}

TEST_F(RasterFile, AscNanIsRejected) {
  const auto path = write("a.asc", std::string(header) + "1 2 3\n4 5 nan\n");
  EXPECT_EQ(error_of([&] { read_asc(path, {2, 3, {}}); }), path + ":8:5: 'nan': NaN is not allowed");
}

TEST_F(RasterFile, AscNodataIsAnErrorUnlessFilled) {
  const auto path = write("a.asc", std::string(header) + "1 2 3\n4 -9999 6\n");
  EXPECT_EQ(error_of([&] { read_asc(path, {2, 3, {}}); }),
            path + ":8:3: NODATA value -9999 (row 2, col 2): a value is needed in every cell here");
  const Raster r = read_asc(path, {2, 3, 0.0});
  EXPECT_EQ(r.values, (std::vector<double>{1, 2, 3, 4, 0, 6}));
}

TEST_F(RasterFile, AscTooFewAndTooManyValues) {
  const auto few = write("few.asc", std::string(header) + "1 2 3\n4 5\n");
  EXPECT_EQ(error_of([&] { read_asc(few, {2, 3, {}}); }),
            few + ":8:1: found 5 values, expected nrows x ncols = 2 x 3 = 6");
  const auto many = write("many.asc", std::string(header) + "1 2 3\n4 5 6 7\n");
  EXPECT_EQ(error_of([&] { read_asc(many, {2, 3, {}}); }), many + ":8:7: more than nrows x ncols = 6 values");
}

TEST_F(RasterFile, AscHeaderProblems) {
  const auto missing = write("m.asc", "ncols 3\nnrows 2\nxllcorner 0\ncellsize 10\n1 2 3\n4 5 6\n");
  EXPECT_EQ(error_of([&] { read_asc(missing, {2, 3, {}}); }),
            missing + ":5:1: the header has no 'yllcorner or yllcenter'");
  const auto unknown = write("u.asc", "ncols 3\nnrow 2\n");
  EXPECT_NE(error_of([&] { read_asc(unknown, {2, 3, {}}); }).find(":2:1: unknown header key 'nrow'"),
            std::string::npos);
}

TEST_F(RasterFile, AscRepeatedKeyAndBadCellsize) {
  const auto twice = write("t.asc", "ncols 1\nnrows 1\nxllcorner 0\nxllcenter 0\n");
  EXPECT_EQ(error_of([&] { read_asc(twice, {1, 1, {}}); }), twice + ":4:1: header key 'xllcenter' is given twice");
  const auto size = write("s.asc", "ncols 1\nnrows 1\nxllcorner 0\nyllcorner 0\ncellsize -5\n1\n");
  EXPECT_EQ(error_of([&] { read_asc(size, {1, 1, {}}); }), size + ":5:10: cellsize -5 must be > 0");
}

TEST_F(RasterFile, CsvRowOfWrongLength) {
  const auto path = write("a.csv", "1,2,3\n4,5\n");
  EXPECT_EQ(error_of([&] { read_csv(path, {2, 3, {}}); }), path + ":2:1: line has 2 values, expected 3 (ncol)");
}

TEST_F(RasterFile, CsvWrongNumberOfLines) {
  const auto path = write("a.csv", "1,2,3\n");
  EXPECT_EQ(error_of([&] { read_csv(path, {2, 3, {}}); }),
            path + ":2:1: found 1 lines, expected 2 (nrow x ncol = 2 x 3)");
}

TEST_F(RasterFile, CsvEmptyAndNonNumericFields) {
  const auto empty = write("e.csv", "1,,3\n");
  EXPECT_EQ(error_of([&] { read_csv(empty, {1, 3, {}}); }), empty + ":1:3: empty value");
  const auto text = write("t.csv", "1, x1 ,3\n");
  EXPECT_EQ(error_of([&] { read_csv(text, {1, 3, {}}); }), text + ":1:4: 'x1' is not a number");
}

TEST_F(RasterFile, MissingFileAndUnknownExtension) {
  EXPECT_EQ(error_of([&] { read_csv((dir_ / "none.csv").string(), {1, 1, {}}); }),
            (dir_ / "none.csv").string() + ": cannot open the file");
  const auto txt = write("a.txt", "1\n");
  EXPECT_EQ(error_of([&] { read_raster(txt, {1, 1, {}}); }),
            txt + ": unknown raster format '.txt' (expected .asc or .csv)");
}

} // namespace
} // namespace gwsim
