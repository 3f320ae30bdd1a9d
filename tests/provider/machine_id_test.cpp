#include "provider/machine_id.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "process.h"

using namespace osapi;
using namespace osapi::provider;

namespace {

// A root directory holding etc/ (and optionally etc/machine-id).
struct Root {
  osapi::testing::TempDir dir;
  Root() { ::mkdir(dir.file("etc").c_str(), 0755); }
  std::string id_path() const { return dir.file("etc/machine-id"); }
  void write_id(const std::string& text) const { dir.write("etc/machine-id", text); }
};

}  // namespace

TEST(MachineId, ReadsAndTrims) {
  Root root;
  root.write_id("  4c4c4544004d3010804bb4c04f4a3332\n\n");
  auto id = read_machine_id(root.dir.path());
  ASSERT_TRUE(id.ok()) << id.error().message;
  EXPECT_EQ(*id, "4c4c4544004d3010804bb4c04f4a3332");
}

TEST(MachineId, RootWithTrailingSlash) {
  Root root;
  root.write_id("abc\n");
  auto id = read_machine_id(root.dir.path() + "/");
  ASSERT_TRUE(id.ok()) << id.error().message;
  EXPECT_EQ(*id, "abc");
}

TEST(MachineId, EmptyFileIsAnError) {
  Root root;
  root.write_id("");
  auto id = read_machine_id(root.dir.path());
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.error().message, "machine id: " + root.id_path() + ": empty");
}

TEST(MachineId, WhitespaceOnlyIsEmpty) {
  Root root;
  root.write_id(" \n\t\n");
  auto id = read_machine_id(root.dir.path());
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.error().message, "machine id: " + root.id_path() + ": empty");
}

TEST(MachineId, MissingFileNamesPathAndReason) {
  Root root;
  auto id = read_machine_id(root.dir.path());
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.error().message, "machine id: " + root.id_path() + ": no such file or directory");
}

TEST(MachineId, DirectoryIsUnreadable) {
  Root root;
  ::mkdir(root.id_path().c_str(), 0755);
  auto id = read_machine_id(root.dir.path());
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.error().message, "machine id: " + root.id_path() + ": is a directory");
}

TEST(MachineId, OversizedFileIsRejected) {
  Root root;
  root.write_id(std::string(10000, 'a'));
  auto id = read_machine_id(root.dir.path());
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.error().message, "machine id: " + root.id_path() + ": file too large");
}

TEST(MachineId, ExplicitFile) {
  osapi::testing::TempDir dir;
  const std::string path = dir.write("id", "\tfeedface\n");
  auto id = read_machine_id_file(path);
  ASSERT_TRUE(id.ok()) << id.error().message;
  EXPECT_EQ(*id, "feedface");
  auto missing = read_machine_id_file(dir.file("nope"));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().message,
            "machine id: " + dir.file("nope") + ": no such file or directory");
}
