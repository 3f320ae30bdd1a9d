#include "auth/jwt.h"

#include <gtest/gtest.h>

#include <ctime>
#include <random>

#include "auth/permissions.h"

using namespace osapi;
using namespace osapi::auth;

namespace {

const std::string kKey = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

Clock::time_point at(int64_t unix_s) {
  return Clock::time_point(std::chrono::seconds(unix_s));
}

int64_t utc(int y, int mon, int d, int h = 0, int mi = 0, int s = 0) {
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mon - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  return static_cast<int64_t>(timegm(&tm));
}

std::string verify_error(std::string_view token, const std::set<std::string>& custom = {},
                         Clock::time_point now = Clock::now(), std::string_view key = kKey) {
  auto r = verify(token, key, custom, now);
  EXPECT_FALSE(r.ok()) << "token unexpectedly valid: " << token;
  if (r.ok()) return "";
  EXPECT_EQ(r.error().code, ErrorCode::kUnauthenticated);
  return r.error().message;
}

std::string header_b64(const std::string& json) {
  return base64url_encode(json);
}

}  // namespace

TEST(Base64Url, RoundTripsWithoutPadding) {
  for (std::string s : {"", "f", "fo", "foo", "foob", "fooba", "foobar", "\xff\xfe\x00?>"}) {
    const auto enc = base64url_encode(s);
    EXPECT_EQ(enc.find('='), std::string::npos);
    EXPECT_EQ(enc.find('+'), std::string::npos);
    EXPECT_EQ(enc.find('/'), std::string::npos);
    auto dec = base64url_decode(enc);
    ASSERT_TRUE(dec.ok()) << enc;
    EXPECT_EQ(*dec, s);
  }
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
}

TEST(Base64Url, RejectsIllegalInput) {
  EXPECT_EQ(base64url_decode("ab=c").error().message, "illegal base64 data at input byte 2");
  EXPECT_FALSE(base64url_decode("abcd+").ok());
  EXPECT_FALSE(base64url_decode("a").ok());
  EXPECT_FALSE(base64url_decode("abc/").ok());
}

TEST(Sign, WritesHeaderAndClaimsInSpecOrder) {
  Claims c = generate_claims({"admin"}, "ci@example", {"job:read"}, at(1'700'000'000));
  const std::string token = sign(c, kKey);
  const auto parts =
      std::vector<std::string>{token.substr(0, token.find('.')), token.substr(token.find('.') + 1)};
  EXPECT_EQ(*base64url_decode(parts[0]), R"({"alg":"HS256","typ":"JWT"})");
  EXPECT_EQ(claims_json(c),
            R"({"roles":["admin"],"permissions":["job:read"],"iss":"osapi","sub":"ci@example",)"
            R"("aud":["https://localhost","http://localhost"],"exp":1707948800,"iat":1700000000})");
  // No permissions → claim omitted; roles always present even when empty.
  Claims bare = generate_claims({}, "x", {}, at(1'700'000'000));
  EXPECT_EQ(claims_json(bare).rfind(R"({"roles":[],"iss":"osapi")", 0), 0u) << claims_json(bare);
}

TEST(Sign, KnownHs256Vector) {
  // jwt.io's example token with the secret "your-256-bit-secret".
  const std::string payload = R"({"sub":"1234567890","name":"John Doe","iat":1516239022})";
  const std::string token = sign_payload(payload, "your-256-bit-secret");
  EXPECT_EQ(token,
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9."
            "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ."
            "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c");
  EXPECT_FALSE(verify(token, "your-256-bit-secret").ok());  // no roles claim
}

// AU-18: generate → validate round trip.
TEST(Verify, GenerateRoundTrip) {
  const auto now = Clock::now();
  for (const std::vector<std::string>& roles :
       {std::vector<std::string>{"admin"}, {"read", "write"}, {"read"}}) {
    const Claims c = generate_claims(roles, "test-subject", {}, now);
    auto r = verify(sign(c, kKey), kKey, {}, now);
    ASSERT_TRUE(r.ok()) << r.error().message;
    ASSERT_TRUE(r->roles.has_value());
    EXPECT_EQ(*r->roles, roles);
    EXPECT_EQ(r->sub, "test-subject");
    EXPECT_EQ(r->iss, "osapi");
    EXPECT_EQ(r->aud, (std::vector<std::string>{"https://localhost", "http://localhost"}));
    EXPECT_TRUE(r->permissions.empty());
    ASSERT_TRUE(r->exp && r->iat);
    const int64_t now_s =
        std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
    EXPECT_EQ(*r->iat, now_s);
    // Three calendar months: between 89 and 92 days.
    EXPECT_GE(*r->exp - now_s, 89 * 86400);
    EXPECT_LE(*r->exp - now_s, 92 * 86400);
    EXPECT_FALSE(r->nbf.has_value());
  }
}

TEST(Verify, Hs384AndHs512) {
  const auto now = Clock::now();
  for (const char* alg : {"HS384", "HS512"}) {
    const Claims c = generate_claims({"read"}, "s", {"node:read"}, now);
    const std::string token = sign(c, kKey, alg);
    EXPECT_EQ(*base64url_decode(token.substr(0, token.find('.'))),
              std::string(R"({"alg":")") + alg + R"(","typ":"JWT"})");
    auto r = verify(token, kKey, {}, now);
    ASSERT_TRUE(r.ok()) << alg << ": " << r.error().message;
    EXPECT_EQ(r->permissions, std::vector<std::string>{"node:read"});
    EXPECT_NE(verify_error(token, {}, now, "other-key"), "");
  }
}

TEST(Verify, ThreeMonthsRollsDayOverflowForward) {
  EXPECT_EQ(add_months_unix(utc(2023, 11, 30, 10, 20, 30), 3), utc(2024, 3, 1, 10, 20, 30))
      << "2024 is a leap year: Feb 30 = Mar 1";
  EXPECT_EQ(add_months_unix(utc(2022, 11, 30, 10, 20, 30), 3), utc(2023, 3, 2, 10, 20, 30));
  EXPECT_EQ(add_months_unix(utc(2024, 1, 15), 3), utc(2024, 4, 15));
  EXPECT_EQ(add_months_unix(utc(2024, 10, 31), 3), utc(2025, 1, 31));
  const Claims c = generate_claims({"admin"}, "x", {}, at(utc(2022, 11, 30, 8)));
  EXPECT_EQ(*c.iat, utc(2022, 11, 30, 8));
  EXPECT_EQ(*c.exp, utc(2023, 3, 2, 8));
}

// AU-5.
TEST(Verify, EmptyTokenHasInvalidNumberOfSegments) {
  EXPECT_NE(verify_error("").find("invalid number of segments"), std::string::npos);
  EXPECT_EQ(verify_error("invalid-token-string"), "token contains an invalid number of segments");
  EXPECT_EQ(verify_error("a.b"), "token contains an invalid number of segments");
  EXPECT_EQ(verify_error("a.b.c.d"), "token contains an invalid number of segments");
}

TEST(Verify, DecodeErrors) {
  EXPECT_NE(verify_error("!!!.e30.sig").find("illegal base64 data"), std::string::npos);
  EXPECT_NE(verify_error(header_b64("not json") + ".e30.x").find("invalid character"),
            std::string::npos);
  EXPECT_NE(verify_error(header_b64("[1]") + ".e30.x").find("cannot unmarshal array"),
            std::string::npos);
  const std::string h = header_b64(R"({"alg":"HS256","typ":"JWT"})");
  EXPECT_NE(verify_error(h + "." + base64url_encode("{") + ".x").find("invalid character"),
            std::string::npos);
  EXPECT_NE(verify_error(h + "." + base64url_encode(R"({"roles":"admin"})") + ".x")
                .find("cannot unmarshal string into Go struct field CustomClaims.roles"),
            std::string::npos);
  EXPECT_NE(verify_error(h + "." + base64url_encode(R"({"exp":"soon"})") + ".x")
                .find("cannot unmarshal string"),
            std::string::npos);
}

// AU-6 and friends: only the HMAC family is accepted.
TEST(Verify, UnexpectedSigningMethod) {
  const std::string payload = base64url_encode(R"({"roles":["admin"]})");
  EXPECT_EQ(verify_error(header_b64(R"({"alg":"none","typ":"JWT"})") + "." + payload + "."),
            "unexpected signing method: none");
  EXPECT_EQ(verify_error(header_b64(R"({"alg":"RS256"})") + "." + payload + ".c2ln"),
            "unexpected signing method: RS256");
  EXPECT_NE(verify_error(header_b64(R"({"typ":"JWT"})") + "." + payload + ".c2ln"), "");
}

TEST(Verify, SignatureIsInvalid) {
  const auto now = Clock::now();
  const std::string token = sign(generate_claims({"admin"}, "s", {}, now), kKey);
  EXPECT_EQ(verify_error(token, {}, now, "another-key"), "signature is invalid");
  EXPECT_EQ(verify_error(token + "x", {}, now), "signature is invalid");
  EXPECT_EQ(verify_error(token.substr(0, token.rfind('.') + 1), {}, now), "signature is invalid");
  std::string tampered = token;
  tampered[tampered.rfind('.') + 3] ^= 1;
  EXPECT_EQ(verify_error(tampered, {}, now), "signature is invalid");
  // Badly signed and expired: the signature failure wins.
  const std::string expired = sign(generate_claims({"admin"}, "s", {}, at(1'000'000)), kKey);
  EXPECT_EQ(verify_error(expired, {}, now, "another-key"), "signature is invalid");
}

// AU-8.
TEST(Verify, ExpiredTokenReportsGoDuration) {
  Claims c;
  c.roles = std::vector<std::string>{"admin"};
  c.exp = 1'700'000'000;
  const std::string token = sign(c, kKey);
  EXPECT_EQ(verify_error(token, {}, at(1'700'003'600)), "token is expired by 1h0m0s");
  EXPECT_EQ(verify_error(token, {}, at(1'700'000'000)), "token is expired by 0s");
  const auto msg = verify_error(token, {}, at(1'700'000'005) + std::chrono::milliseconds(250));
  EXPECT_EQ(msg, "token is expired by 5.25s");
  EXPECT_TRUE(verify(token, kKey, {}, at(1'699'999'999)).ok());
}

TEST(Verify, IssuedInFutureAndNotBefore) {
  Claims c;
  c.roles = std::vector<std::string>{"read"};
  c.iat = 2'000'000'000;
  EXPECT_EQ(verify_error(sign(c, kKey), {}, at(1'999'999'999)), "token used before issued");
  EXPECT_TRUE(verify(sign(c, kKey), kKey, {}, at(2'000'000'000)).ok());
  c.iat.reset();
  c.nbf = 2'000'000'000;
  EXPECT_EQ(verify_error(sign(c, kKey), {}, at(1'999'999'999)), "token is not valid yet");
  EXPECT_TRUE(verify(sign(c, kKey), kKey, {}, at(2'000'000'000)).ok());
}

TEST(Verify, TokenWithoutExpNeverExpires) {
  Claims c;
  c.roles = std::vector<std::string>{"read"};
  EXPECT_TRUE(verify(sign(c, kKey), kKey, {}, at(4'000'000'000)).ok());
}

TEST(Verify, RolesRequiredAndOneOf) {
  const std::string required =
      "Key: 'CustomClaims.Roles' Error:Field validation for 'Roles' failed on the 'required' tag";
  EXPECT_EQ(verify_error(sign_payload(R"({"sub":"x"})", kKey)), required);
  EXPECT_EQ(verify_error(sign_payload(R"({"roles":null})", kKey)), required);

  auto empty = verify(sign_payload(R"({"roles":[]})", kKey), kKey);
  ASSERT_TRUE(empty.ok()) << empty.error().message;
  ASSERT_TRUE(empty->roles.has_value());
  EXPECT_TRUE(empty->roles->empty());

  EXPECT_EQ(verify_error(sign_payload(R"({"roles":["read","invalid_role"]})", kKey)),
            "Key: 'CustomClaims.Roles[1]' Error:Field validation for 'Roles[1]' failed on the "
            "'oneof' tag");
  // AU-24: a custom role is accepted only when configured.
  EXPECT_NE(verify_error(sign_payload(R"({"roles":["ops"]})", kKey)).find("oneof"),
            std::string::npos);
  EXPECT_TRUE(verify(sign_payload(R"({"roles":["ops"]})", kKey), kKey, {"ops"}).ok());
}

TEST(Verify, AcceptsStringAudienceAndFloatDates) {
  auto r =
      verify(sign_payload(R"({"roles":["read"],"aud":"api","exp":4102444800.5,"iat":1.5e9})", kKey),
             kKey, {}, at(1'700'000'000));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->aud, std::vector<std::string>{"api"});
  EXPECT_EQ(*r->exp, 4102444800);
  EXPECT_EQ(*r->iat, 1'500'000'000);
}

// AU-26: unknown permission strings are not validated.
TEST(Verify, UnknownPermissionStringIsValid) {
  auto r = verify(sign_payload(R"({"roles":["admin"],"permissions":["foo:bar"]})", kKey), kKey);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->permissions, std::vector<std::string>{"foo:bar"});
  const auto eff = effective_permissions(*r, {});
  EXPECT_EQ(eff, PermissionSet{"foo:bar"});
  for (const auto& p : all_permissions()) {
    const auto st = authorize(eff, p);
    ASSERT_FALSE(st.ok());
    EXPECT_EQ(st.error().code, ErrorCode::kPermissionDenied);
    EXPECT_EQ(st.error().message,
              "Insufficient permissions. Required: [" + p + "], resolved: map[foo:bar:true]");
  }
}

TEST(Verify, GarbageNeverCrashes) {
  std::mt19937 rng(42);
  std::uniform_int_distribution<int> byte(0, 255);
  for (int i = 0; i < 2000; ++i) {
    std::string s(static_cast<size_t>(rng() % 200), '\0');
    for (auto& ch : s) ch = static_cast<char>(byte(rng));
    if (i % 3 == 0 && s.size() > 10) {  // make dots likely
      s[s.size() / 3] = '.';
      s[2 * s.size() / 3] = '.';
    }
    EXPECT_FALSE(verify(s, kKey).ok());
  }
  // Valid base64 segments holding random bytes.
  for (int i = 0; i < 500; ++i) {
    std::string a(static_cast<size_t>(rng() % 64), '\0'), b(a.size(), '\0');
    for (auto& ch : a) ch = static_cast<char>(byte(rng));
    for (auto& ch : b) ch = static_cast<char>(byte(rng));
    EXPECT_FALSE(verify(base64url_encode(a) + "." + base64url_encode(b) + ".x", kKey).ok());
  }
}

TEST(Verify, HugeAndHostileTokensReturnErrors) {
  const std::string mb(1 << 20, 'A');
  EXPECT_FALSE(verify(mb, kKey).ok());
  EXPECT_FALSE(verify(mb + "." + mb + "." + mb, kKey).ok());
  const std::string dots(1 << 20, '.');
  EXPECT_FALSE(verify(dots, kKey).ok());
  // Deeply nested JSON in the header and payload.
  const std::string nested = std::string(100000, '[') + std::string(100000, ']');
  EXPECT_FALSE(verify(base64url_encode(nested) + ".e30.x", kKey).ok());
  const std::string h = header_b64(R"({"alg":"HS256","typ":"JWT"})");
  EXPECT_FALSE(verify(h + "." + base64url_encode(nested) + ".x", kKey).ok());
  // A 1 MB correctly signed token with absurd values is handled.
  const std::string big =
      R"({"roles":["read"],"sub":")" + std::string(1 << 20, 'x') + R"(","exp":1e400,"iat":-1e300})";
  auto r = verify(sign_payload(big, kKey), kKey);
  EXPECT_TRUE(r.ok() || !r.error().message.empty());
  EXPECT_FALSE(
      verify(sign_payload(R"({"roles":["read"],"exp":-9223372036854775808})", kKey), kKey).ok());
  // Invalid UTF-8 inside a JSON string.
  EXPECT_FALSE(verify(h + "." + base64url_encode("{\"sub\":\"\xff\xfe\"}") + ".x", kKey).ok());
}
