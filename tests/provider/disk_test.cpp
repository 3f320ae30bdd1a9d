#include <gtest/gtest.h>

#include <cerrno>

#include "fixture.h"
#include "provider/disk.h"

using namespace osapi;
using namespace osapi::provider;
using osapi::provider::testing::FixtureRoot;

namespace {

// Real kernel lines, plus filesystems that must be filtered out.
const char kMountinfo[] =
    "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw,errors=remount-ro\n"
    "23 22 0:21 / /proc rw,nosuid shared:12 - proc proc rw\n"
    "24 22 0:5 / /dev rw,nosuid shared:2 - devtmpfs udev rw,size=8g\n"
    "25 22 8:2 / /data rw,relatime shared:3 master:1 - xfs /dev/sda2 rw,attr2\n"
    "26 22 8:3 / /mnt/my\\040disk rw - btrfs /dev/sda3 rw,space_cache\n"
    "27 22 8:1 /sub /srv rw - ext4  rw\n"
    "28 22 0:30 / /run rw - tmpfs tmpfs rw\n"
    "29 22 8:1 / / rw - ext4 /dev/sda1 rw\n"
    "30 22 0:31 / /var/lib/docker overlay rw - overlay overlay rw\n";

struct FakeStat {
  std::map<std::string, int> errors;
  std::vector<std::string> calls;
  int operator()(const std::string& path, struct statvfs& st) {
    calls.push_back(path);
    if (auto it = errors.find(path); it != errors.end()) return it->second;
    st = {};
    st.f_frsize = 4096;
    st.f_bsize = 1 << 20;  // must not be used
    st.f_blocks = 1000;
    st.f_bfree = 400;
    st.f_bavail = 300;
    return 0;
  }
};

}  // namespace

TEST(Disk, ParsesMountinfo) {
  auto mounts = parse_mountinfo(kMountinfo);
  ASSERT_TRUE(mounts.ok()) << mounts.error().message;
  ASSERT_EQ(mounts->size(), 9u);
  EXPECT_EQ((*mounts)[0].mount_point, "/");
  EXPECT_EQ((*mounts)[0].fstype, "ext4");
  EXPECT_EQ((*mounts)[0].source, "/dev/sda1");
  EXPECT_EQ((*mounts)[3].mount_point, "/data");  // optional fields skipped
  EXPECT_EQ((*mounts)[3].fstype, "xfs");
  EXPECT_EQ((*mounts)[4].mount_point, "/mnt/my disk");
  EXPECT_EQ((*mounts)[5].source, "");
}

TEST(Disk, MalformedMountinfoIsAnError) {
  EXPECT_FALSE(parse_mountinfo("garbage\n").ok());
  EXPECT_FALSE(parse_mountinfo("22 1 8:1 / / rw ext4 /dev/sda1 rw\n").ok());  // no separator
  EXPECT_FALSE(parse_mountinfo("22 1 8:1 / / rw - ext4\n").ok());
  (void)parse_mountinfo(std::string("\xff\x00 - - - - - - -", 17));  // must not crash
  EXPECT_TRUE(parse_mountinfo("").ok());
  EXPECT_TRUE(parse_mountinfo("\n\n").ok());
  EXPECT_EQ(parse_mountinfo("22 1 8:1 / /a\\ rw - ext4 s o\n")->at(0).mount_point, "/a\\");
}

TEST(Disk, FiltersDeduplicatesAndComputes) {
  FixtureRoot fx;
  fx.write("proc/self/mountinfo", kMountinfo);
  FakeStat stat;
  auto r = disk(fx.paths(), std::ref(stat));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(stat.calls, (std::vector<std::string>{"/", "/data", "/mnt/my disk"}));
  const std::string one = R"("Total":4096000,"Used":2457600,"Free":1228800})";
  EXPECT_EQ(r->dump(), R"({"disks":[{"Name":"/",)" + one + R"(,{"Name":"/data",)" + one +
                           R"(,{"Name":"/mnt/my disk",)" + one + "]}");
}

TEST(Disk, PermissionDeniedIsSkipped) {
  FixtureRoot fx;
  fx.write("proc/self/mountinfo", kMountinfo);
  FakeStat stat;
  stat.errors["/data"] = EACCES;
  auto r = disk(fx.paths(), std::ref(stat));
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ((*r)["disks"].size(), 2u);
  EXPECT_EQ((*r)["disks"][1]["Name"], "/mnt/my disk");
}

TEST(Disk, OtherErrorFails) {
  FixtureRoot fx;
  fx.write("proc/self/mountinfo", kMountinfo);
  FakeStat stat;
  stat.errors["/data"] = EIO;
  auto r = disk(fx.paths(), std::ref(stat));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "failed to get disk usage for /data: input/output error");
}

TEST(Disk, MissingOrMalformedMountinfo) {
  FixtureRoot fx;
  EXPECT_FALSE(disk(fx.paths()).ok());
  fx.write("proc/self/mountinfo", "not a mountinfo line\n");
  EXPECT_FALSE(disk(fx.paths()).ok());
  fx.write("proc/self/mountinfo", "");
  auto empty = disk(fx.paths());
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->dump(), R"({"disks":[]})");
}

TEST(Disk, LiveMachine) {
  // The CI root may be overlay: an empty list is fine, but the call must succeed.
  auto r = disk();
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_TRUE((*r)["disks"].is_array());
  for (const auto& d : (*r)["disks"]) {
    EXPECT_TRUE(d.contains("Name") && d.contains("Total") && d.contains("Used") &&
                d.contains("Free"));
  }
}
