#include "model/model.h"

#include <gtest/gtest.h>

namespace tessera::model {
namespace {

TEST(ModelNames, AgencyNamesRoundTrip) {
  for (Agency a :
       {Agency::kPolice, Agency::kFireRescue, Agency::kAmbulance, Agency::kChildrensSocialCare,
        Agency::kAdultSocialCare, Agency::kEducation, Agency::kHousing, Agency::kHealth,
        Agency::kMentalHealth, Agency::kSubstanceMisuse, Agency::kProbation, Agency::kDwp,
        Agency::kYouthJustice}) {
    auto back = AgencyFromName(AgencyName(a));
    ASSERT_TRUE(back.has_value()) << AgencyName(a);
    EXPECT_EQ(*back, a);
  }
  EXPECT_FALSE(AgencyFromName("secret_service").has_value());
}

TEST(ModelNames, RoleNamesRoundTrip) {
  EXPECT_EQ(RoleName(Role::kMissingPerson), "missing_person");
  EXPECT_EQ(RoleFromName("victim"), Role::kVictim);
  EXPECT_EQ(RoleFromName("parent"), Role::kParent);
  EXPECT_FALSE(RoleFromName("Victim").has_value()) << "names are canonical lower case";
}

TEST(ModelNames, IdentifierKinds) {
  EXPECT_EQ(IdentifierKindName(IdentifierKind::kNhsNumber), "nhs_number");
  EXPECT_EQ(IdentifierKindFromName("pnc_id"), IdentifierKind::kPncId);
  EXPECT_FALSE(IdentifierKindFromName("passport").has_value());
}

}  // namespace
}  // namespace tessera::model
