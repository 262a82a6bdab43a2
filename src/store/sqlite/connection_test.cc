// Query's text binds: what is bound is what is stored, empty text is '' and never NULL, and the
// uncopied bind reads the caller's bytes when the statement runs.
#include "store/sqlite/connection.h"

#include <gtest/gtest.h>

#include <string>

#include "store/store_test_support.h"

namespace tessera::store::sqlite {
namespace {

class QueryBindTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = Connection::Open(tmp_.Sub("t.db"), /*create=*/true, 1000);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    db_ = std::move(*opened);
    ASSERT_TRUE(db_->Exec("CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b TEXT)", "test").ok());
  }

  // The stored row: "a|b", with NULL shown as <null>.
  std::string Row(int64_t id) {
    auto q = db_->Prepare("SELECT a, b FROM t WHERE id = ?1", "test");
    EXPECT_TRUE(q.ok());
    q->Bind(1, id);
    auto row = q->Step();
    EXPECT_TRUE(row.ok() && *row);
    auto text = [&](int c) { return q->IsNull(c) ? std::string("<null>") : q->Text(c); };
    return text(0) + "|" + text(1);
  }

  testing::TempDir tmp_;
  std::unique_ptr<Connection> db_;
};

TEST_F(QueryBindTest, BothBindsStoreTheTextAndEmptyIsNotNull) {
  const std::string a = "copied", b = "uncopied";
  {
    auto q = db_->Prepare("INSERT INTO t (id, a, b) VALUES (?1, ?2, ?3)", "test");
    ASSERT_TRUE(q.ok());
    q->Bind(1, int64_t{1}).Bind(2, a).BindUncopied(3, b);
    ASSERT_TRUE(q->Run().ok());
  }
  {
    auto q = db_->Prepare("INSERT INTO t (id, a, b) VALUES (?1, ?2, ?3)", "test");
    ASSERT_TRUE(q.ok());
    q->Bind(1, int64_t{2}).Bind(2, std::string_view()).BindUncopied(3, std::string_view());
    ASSERT_TRUE(q->Run().ok());
  }
  EXPECT_EQ(Row(1), "copied|uncopied");
  EXPECT_EQ(Row(2), "|") << "empty text binds as '', not NULL";
}

// Bind copies at once; BindUncopied reads the caller's bytes when the statement steps, which is
// why its caller must keep them unchanged until then.
TEST_F(QueryBindTest, OnlyTheCopiedBindIsIndependentOfTheCallersBuffer) {
  std::string a = "before", b = "before";
  auto q = db_->Prepare("INSERT INTO t (id, a, b) VALUES (?1, ?2, ?3)", "test");
  ASSERT_TRUE(q.ok());
  q->Bind(1, int64_t{1}).Bind(2, a).BindUncopied(3, b);
  a.replace(0, 6, "AFTER!");
  b.replace(0, 6, "AFTER!");  // same size: the buffer stays where it was bound
  ASSERT_TRUE(q->Run().ok());
  EXPECT_EQ(Row(1), "before|AFTER!");
}

}  // namespace
}  // namespace tessera::store::sqlite
