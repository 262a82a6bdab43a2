// A fresh hub in a temp directory for ingest tests: store open, files written on request.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "core/clock.h"
#include "store/store.h"

namespace tessera::ingest {

class HubTest : public testing::Test {
 protected:
  void SetUp() override {
    hub_ = std::filesystem::temp_directory_path() /
           ("tessera-ingest-" + std::to_string(::getpid()) + "-" +
            testing::UnitTest::GetInstance()->current_test_info()->test_suite_name() + "-" +
            testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(hub_);
    ASSERT_TRUE(store::InitHub(hub_.string(), clock_).ok());
    auto s = store::OpenSqliteStore(hub_.string(), clock_);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(hub_);
  }

  // Writes `text` to HUB/name (folders created) and returns the full path.
  std::string Write(const std::string& name, const std::string& text) {
    const std::filesystem::path p = hub_ / name;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
    return p.string();
  }

  ManualClock clock_{1735689600LL * 1000000};  // 2025-01-01
  std::filesystem::path hub_;
  std::unique_ptr<store::Store> store_;
};

}  // namespace tessera::ingest
