#include "core/status.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace tessera {
namespace {

TEST(StatusTest, DefaultIsOk) {
  const Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kOk);
  EXPECT_EQ(s.message(), "");
  EXPECT_EQ(s.ToString(), "OK");
  EXPECT_EQ(s, Status::Ok());
}

TEST(StatusTest, FactoriesSetCodeAndMessage) {
  const Status s = Status::InvalidArgument("month 13 out of range");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "month 13 out of range");
  EXPECT_EQ(s.ToString(), "InvalidArgument: month 13 out of range");

  EXPECT_EQ(Status::NotFound("x").code(), StatusCode::kNotFound);
  EXPECT_EQ(Status::AlreadyExists("x").code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(Status::FailedPrecondition("x").code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(Status::PermissionDenied("x").code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(Status::Unauthenticated("x").code(), StatusCode::kUnauthenticated);
  EXPECT_EQ(Status::ResourceExhausted("x").code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(Status::Corruption("x").code(), StatusCode::kCorruption);
  EXPECT_EQ(Status::IoError("x").code(), StatusCode::kIoError);
  EXPECT_EQ(Status::Unavailable("x").code(), StatusCode::kUnavailable);
  EXPECT_EQ(Status::Internal("x").code(), StatusCode::kInternal);
}

TEST(StatusTest, EveryCodeHasAName) {
  EXPECT_EQ(StatusCodeName(StatusCode::kOk), "OK");
  EXPECT_EQ(StatusCodeName(StatusCode::kCorruption), "Corruption");
  EXPECT_EQ(StatusCodeName(StatusCode::kInternal), "Internal");
  for (int c = 0; c <= static_cast<int>(StatusCode::kInternal); ++c) {
    EXPECT_NE(StatusCodeName(static_cast<StatusCode>(c)), "Unknown") << c;
  }
}

TEST(StatusTest, EqualityComparesCodeAndMessage) {
  EXPECT_EQ(Status::NotFound("a"), Status::NotFound("a"));
  EXPECT_NE(Status::NotFound("a"), Status::NotFound("b"));
  EXPECT_NE(Status::NotFound("a"), Status::Internal("a"));
}

TEST(StatusTest, WithContextPrefixesTheMessage) {
  const Status s = Status::InvalidArgument("bad date").WithContext("people.csv:12");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "people.csv:12: bad date");
  // Contexts nest outermost first as the error travels up.
  EXPECT_EQ(s.WithContext("load 7").message(), "load 7: people.csv:12: bad date");
}

TEST(StatusTest, WithContextLeavesOkAlone) {
  EXPECT_EQ(Status::Ok().WithContext("anything"), Status::Ok());
}

TEST(ResultTest, HoldsAValue) {
  Result<int> r = 42;
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value(), 42);
  EXPECT_EQ(*r, 42);
  EXPECT_TRUE(r.status().ok());
  EXPECT_EQ(r.value_or(7), 42);
  *r = 43;
  EXPECT_EQ(r.value(), 43);
}

TEST(ResultTest, HoldsAStatus) {
  const Result<int> r = Status::NotFound("no such person");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status(), Status::NotFound("no such person"));
  EXPECT_EQ(r.value_or(7), 7);
}

TEST(ResultTest, ArrowAndMoveOut) {
  Result<std::string> r = std::string("tessera");
  EXPECT_EQ(r->size(), 7u);
  const std::string moved = std::move(r).value();
  EXPECT_EQ(moved, "tessera");
}

TEST(ResultTest, MoveOnlyValues) {
  Result<std::unique_ptr<int>> r = std::make_unique<int>(5);
  ASSERT_TRUE(r.ok());
  std::unique_ptr<int> p = std::move(r).value();
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(*p, 5);
}

// Helpers for the macros: each counts how far it got, so the tests can see the early return.
Status Fails() { return Status::Unavailable("locked"); }
Status Succeeds() { return Status::Ok(); }
Result<int> Half(int x) {
  if (x % 2 != 0) return Status::InvalidArgument("odd");
  return x / 2;
}

Status TryTwice(Status (*first)(), int& reached) {
  TRY(first());
  ++reached;
  TRY(Succeeds());
  ++reached;
  return Status::Ok();
}

TEST(TryTest, PassesOkThrough) {
  int reached = 0;
  EXPECT_TRUE(TryTwice(&Succeeds, reached).ok());
  EXPECT_EQ(reached, 2);
}

TEST(TryTest, ReturnsTheFirstFailure) {
  int reached = 0;
  EXPECT_EQ(TryTwice(&Fails, reached), Status::Unavailable("locked"));
  EXPECT_EQ(reached, 0);
}

Result<int> Quarter(int x) {
  TRY_ASSIGN(const int half, Half(x));
  TRY_ASSIGN(int quarter, Half(half));
  return quarter;
}

Status AssignExisting(int x, int& out) {
  TRY_ASSIGN(out, Half(x));
  return Status::Ok();
}

TEST(TryAssignTest, DeclaresAndAssigns) {
  const Result<int> r = Quarter(12);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, 3);
}

TEST(TryAssignTest, ReturnsTheFailureOfAnyStep) {
  EXPECT_EQ(Quarter(3).status(), Status::InvalidArgument("odd"));  // first step
  EXPECT_EQ(Quarter(6).status(), Status::InvalidArgument("odd"));  // second step
}

TEST(TryAssignTest, AssignsToAnExistingVariable) {
  int out = -1;
  EXPECT_TRUE(AssignExisting(8, out).ok());
  EXPECT_EQ(out, 4);
  out = -1;
  EXPECT_FALSE(AssignExisting(7, out).ok());
  EXPECT_EQ(out, -1);
}

Result<std::unique_ptr<int>> MakeBox(int v) { return std::make_unique<int>(v); }

Result<int> Unbox(int v) {
  TRY_ASSIGN(std::unique_ptr<int> box, MakeBox(v));
  return *box;
}

TEST(TryAssignTest, MovesMoveOnlyValues) { EXPECT_EQ(*Unbox(9), 9); }

}  // namespace
}  // namespace tessera
