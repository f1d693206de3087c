// Zone line format and atomic output files.
#include "emit/emit.hpp"

#include <catch2/catch.hpp>
#include <filesystem>

#include "dns/rrtype.hpp"
#include "tests/support/zone_builder.hpp"

using namespace zk;

TEST_CASE("one RR per line, tab separated, absolute owner", "[emit]") {
  std::string out;
  const Name owner = test::name("www.example.");
  const auto rd = test::a(192, 0, 2, 1);
  emit::append_rr(out, owner, 300, rrclass::IN, rrtype::A, rd);
  CHECK(out == "www.example.\t300\tIN\tA\t192.0.2.1\n");
  out.clear();
  // Classes print as BIND prints them; an IPv4 address is no CH A (a Chaosnet name and octal
  // address), so in CH those octets print in generic form, and in HS as the address.
  emit::append_rr(out, owner, 0, rrclass::CH, rrtype::A, rd);
  CHECK(out == "www.example.\t0\tCH\tA\t\\# 4 C0000201\n");
  out.clear();
  emit::append_rr(out, owner, 0, rrclass::HS, rrtype::A, rd);
  CHECK(out == "www.example.\t0\tHS\tA\t192.0.2.1\n");
  out.clear();
  emit::append_rr(out, owner, 0, 7, rrtype::TXT, test::txt("x"));
  CHECK(out == "www.example.\t0\tCLASS7\tTXT\t\"x\"\n");
}

TEST_CASE("output files are replaced atomically", "[emit]") {
  test::TempDir dir;
  const std::string path = dir.file("zone.out");
  test::write_file(path, "old\n");
  auto count_files = [&] {
    size_t n = 0;
    for (const auto& e : std::filesystem::directory_iterator(dir.path())) n += !e.path().empty();
    return n;
  };

  SECTION("uncommitted output leaves the old file and no temp file") {
    {
      auto f = emit::OutputFile::open(path);
      REQUIRE(f.has_value());
      REQUIRE(f->write("new\n").has_value());
      CHECK(test::read_file(path) == "old\n");
    }
    CHECK(test::read_file(path) == "old\n");
    CHECK(count_files() == 1);
  }
  SECTION("commit replaces the file") {
    auto f = emit::OutputFile::open(path);
    REQUIRE(f.has_value());
    REQUIRE(f->write("new\n").has_value());
    REQUIRE(f->commit().has_value());
    CHECK(test::read_file(path) == "new\n");
    CHECK(count_files() == 1);
  }
  SECTION("stale temp files of dead runs are removed, live ones kept") {
    // PIDs above the kernel's pid_max (at most 2^22) never belong to a live process.
    const std::string stale = dir.file(".zone.out.zktmp.2147483646.abcdef");
    const std::string live = dir.file(".zone.out.zktmp." + std::to_string(getpid()) + ".ghijkl");
    test::write_file(stale, "x");
    test::write_file(live, "x");
    auto f = emit::OutputFile::open(path);
    REQUIRE(f.has_value());
    CHECK_FALSE(std::filesystem::exists(stale));
    CHECK(std::filesystem::exists(live));
  }
  SECTION("an unwritable directory is a write failure (exit 4) naming path and errno") {
    auto f = emit::OutputFile::open(dir.file("missing/zone.out"));
    REQUIRE_FALSE(f.has_value());
    CHECK(f.error().code == Errc::WriteFailed);
    CHECK(f.error().detail.find("missing/zone.out: No such file or directory (ENOENT)") !=
          std::string::npos);
  }
}
