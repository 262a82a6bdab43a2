// The gradient-boosted model through XGBoost's C API (Debian libxgboost-dev). Every call's
// failure becomes a Status carrying XGBGetLastError(); nothing XGBoost does escapes as an
// exception.
#include <xgboost/c_api.h>

#include <cmath>
#include <limits>
#include <string>

#include "risk/risk.h"

namespace tessera::risk {

namespace {

Status Check(int rc, const char* what) {
  if (rc == 0) return Status::Ok();
  return Status::Internal(std::string("xgboost: ") + what + ": " + XGBGetLastError());
}

// A DMatrix freed at scope exit.
class Matrix {
 public:
  ~Matrix() {
    if (handle_ != nullptr) XGDMatrixFree(handle_);
  }
  static Result<std::unique_ptr<Matrix>> Dense(std::span<const float> values, size_t columns) {
    if (columns == 0 || values.size() % columns != 0) {
      return Status::InvalidArgument("feature matrix is not rows of the feature count");
    }
    auto m = std::unique_ptr<Matrix>(new Matrix);
    // NaN marks a missing value; every feature is computed, so none is missing and a zero is a
    // real zero.
    TRY(Check(XGDMatrixCreateFromMat(values.data(), values.size() / columns, columns,
                                     std::numeric_limits<float>::quiet_NaN(), &m->handle_),
              "XGDMatrixCreateFromMat"));
    return m;
  }
  DMatrixHandle handle() const { return handle_; }

 private:
  Matrix() = default;
  DMatrixHandle handle_ = nullptr;
};

}  // namespace

struct RiskModel::Handle {
  BoosterHandle booster = nullptr;
  ~Handle() {
    if (booster != nullptr) XGBoosterFree(booster);
  }

  Result<std::vector<double>> Predict(std::span<const float> matrix, size_t columns,
                                      int type) const {
    TRY_ASSIGN(std::unique_ptr<Matrix> m, Matrix::Dense(matrix, columns));
    const std::string config = "{\"type\": " + std::to_string(type) +
                               ", \"training\": false, \"iteration_begin\": 0, "
                               "\"iteration_end\": 0, \"strict_shape\": false}";
    const bst_ulong* shape = nullptr;
    bst_ulong dims = 0;
    const float* result = nullptr;
    TRY(Check(
        XGBoosterPredictFromDMatrix(booster, m->handle(), config.c_str(), &shape, &dims, &result),
        "XGBoosterPredictFromDMatrix"));
    size_t n = 1;
    for (bst_ulong d = 0; d < dims; ++d) n *= shape[d];
    return std::vector<double>(result, result + n);
  }
};

RiskModel::~RiskModel() = default;
RiskModel::RiskModel(RiskModel&&) noexcept = default;
RiskModel& RiskModel::operator=(RiskModel&&) noexcept = default;

Result<RiskModel> RiskModel::Train(std::span<const float> matrix, size_t columns,
                                   std::span<const int> labels, const TrainParams& params) {
  TRY_ASSIGN(std::unique_ptr<Matrix> train, Matrix::Dense(matrix, columns));
  if (labels.size() != matrix.size() / columns) {
    return Status::InvalidArgument("one label per row is needed");
  }
  std::vector<float> y(labels.begin(), labels.end());
  TRY(Check(XGDMatrixSetFloatInfo(train->handle(), "label", y.data(), y.size()),
            "XGDMatrixSetFloatInfo"));
  RiskModel model;
  model.handle_ = std::make_unique<Handle>();
  DMatrixHandle handles[] = {train->handle()};
  TRY(Check(XGBoosterCreate(handles, 1, &model.handle_->booster), "XGBoosterCreate"));
  const std::pair<std::string, std::string> settings[] = {
      {"objective", "binary:logistic"},
      {"tree_method", "hist"},
      {"seed", std::to_string(params.seed)},
      {"nthread", std::to_string(params.nthread)},
      {"max_depth", std::to_string(params.max_depth)},
      {"eta", std::to_string(params.eta)},
      {"subsample", std::to_string(params.subsample)},
      {"colsample_bytree", std::to_string(params.colsample_bytree)},
      {"min_child_weight", std::to_string(params.min_child_weight)},
      {"verbosity", "0"},
  };
  for (const auto& [name, value] : settings) {
    TRY(Check(XGBoosterSetParam(model.handle_->booster, name.c_str(), value.c_str()),
              "XGBoosterSetParam"));
  }
  for (int round = 0; round < params.rounds; ++round) {
    TRY(Check(XGBoosterUpdateOneIter(model.handle_->booster, round, train->handle()),
              "XGBoosterUpdateOneIter"));
  }
  return model;
}

Result<RiskModel> RiskModel::LoadJson(const std::string& path) {
  RiskModel model;
  model.handle_ = std::make_unique<Handle>();
  TRY(Check(XGBoosterCreate(nullptr, 0, &model.handle_->booster), "XGBoosterCreate"));
  TRY(Check(XGBoosterLoadModel(model.handle_->booster, path.c_str()), "XGBoosterLoadModel"));
  return model;
}

Status RiskModel::SaveJson(const std::string& path) const {
  // The ".json" name makes XGBoost write its JSON format.
  return Check(XGBoosterSaveModel(handle_->booster, path.c_str()), "XGBoosterSaveModel");
}

Result<std::vector<double>> RiskModel::Margins(std::span<const float> matrix,
                                               size_t columns) const {
  return handle_->Predict(matrix, columns, /*margin=*/1);
}

Result<std::vector<double>> RiskModel::Contributions(std::span<const float> matrix,
                                                     size_t columns) const {
  return handle_->Predict(matrix, columns, /*contribution=*/2);
}

}  // namespace tessera::risk
