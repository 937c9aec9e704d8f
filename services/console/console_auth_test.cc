#include "services/console/console_auth.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace caregate::console {
namespace {

using ::testing::HasSubstr;

constexpr char kToken[] =
    "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

class ConsoleAuthTest : public ::testing::Test {
 protected:
  ConsoleAuth auth_{kToken, "127.0.0.1:8080", 8080};
  const std::string cookie_ = std::string("caregate_console_8080=") + kToken;

  RequestFacts Get() {
    RequestFacts r;
    r.method = "GET";
    r.host = "127.0.0.1:8080";
    return r;
  }
  RequestFacts PagePost() {
    RequestFacts r = Get();
    r.method = "POST";
    r.cookie_header = cookie_;
    r.origin = "http://127.0.0.1:8080";
    r.fetch_site = "same-origin";
    r.has_console_header = true;
    return r;
  }
};

TEST(NewConsoleTokenTest, Is32RandomBytesInHex) {
  const std::string a = NewConsoleToken(), b = NewConsoleToken();
  EXPECT_EQ(a.size(), 64u);
  EXPECT_EQ(a.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_NE(a, b);
}

TEST_F(ConsoleAuthTest, NoTokenIs401) {
  const AuthDecision d = auth_.Authorize(Get());
  EXPECT_EQ(d.refusal, 401);
  EXPECT_THAT(d.reason, HasSubstr("no console token"));
}

TEST_F(ConsoleAuthTest, WrongTokenIs401InUrlOrCookie) {
  RequestFacts r = Get();
  r.url_token = "wrong";
  EXPECT_EQ(auth_.Authorize(r).refusal, 401);
  std::string almost(kToken);
  almost.back() = '0';
  r.url_token = almost;
  EXPECT_EQ(auth_.Authorize(r).refusal, 401);
  r = Get();
  const std::string wrong_cookie = "caregate_console_8080=" + almost;
  r.cookie_header = wrong_cookie;
  EXPECT_EQ(auth_.Authorize(r).refusal, 401);
  // The right token under another console's cookie name does not count.
  const std::string other_console =
      std::string("caregate_console_9090=") + kToken;
  r.cookie_header = other_console;
  EXPECT_EQ(auth_.Authorize(r).refusal, 401);
  // A right cookie does not rescue a wrong URL token.
  r.cookie_header = cookie_;
  r.url_token = "wrong";
  EXPECT_EQ(auth_.Authorize(r).refusal, 401);
}

TEST_F(ConsoleAuthTest, UrlTokenIsAllowedAndSetsTheCookie) {
  RequestFacts r = Get();
  r.url_token = kToken;
  const AuthDecision d = auth_.Authorize(r);
  EXPECT_EQ(d.refusal, 0);
  EXPECT_TRUE(d.set_cookie);
  EXPECT_EQ(auth_.SetCookieValue(),
            cookie_ + "; Path=/; HttpOnly; SameSite=Strict");
}

TEST_F(ConsoleAuthTest, CookieIsAllowedAmongOthers) {
  RequestFacts r = Get();
  const std::string header = "theme=dark; " + cookie_ + "; other=1";
  r.cookie_header = header;
  const AuthDecision d = auth_.Authorize(r);
  EXPECT_EQ(d.refusal, 0);
  EXPECT_FALSE(d.set_cookie);
}

TEST_F(ConsoleAuthTest, ForeignHostIsRefused) {
  RequestFacts r = Get();
  r.cookie_header = cookie_;
  r.host = "attacker.example:8080";
  EXPECT_EQ(auth_.Authorize(r).refusal, 403);
  r.host = "localhost:8080";
  EXPECT_EQ(auth_.Authorize(r).refusal, 0);
}

TEST_F(ConsoleAuthTest, PostFromTheConsolePageIsAllowed) {
  EXPECT_EQ(auth_.Authorize(PagePost()).refusal, 0);
  RequestFacts no_origin = PagePost();
  no_origin.origin.reset();
  no_origin.fetch_site.reset();
  EXPECT_EQ(auth_.Authorize(no_origin).refusal, 0);
}

TEST_F(ConsoleAuthTest, PostFromAnotherSiteIsRefused) {
  RequestFacts r = PagePost();
  r.origin = "https://attacker.example";
  AuthDecision d = auth_.Authorize(r);
  EXPECT_EQ(d.refusal, 403);
  EXPECT_THAT(d.reason, HasSubstr("cross-origin"));

  r = PagePost();
  r.origin = "http://127.0.0.1:9090";  // another port is another origin
  EXPECT_EQ(auth_.Authorize(r).refusal, 403);

  r = PagePost();
  r.origin = "null";
  EXPECT_EQ(auth_.Authorize(r).refusal, 403);

  r = PagePost();
  r.fetch_site = "cross-site";
  EXPECT_EQ(auth_.Authorize(r).refusal, 403);

  r = PagePost();
  r.has_console_header = false;  // e.g. an HTML form
  d = auth_.Authorize(r);
  EXPECT_EQ(d.refusal, 403);
  EXPECT_THAT(d.reason, HasSubstr("console's own page"));
}

TEST_F(ConsoleAuthTest, OtherMethodsAreRefused) {
  RequestFacts r = PagePost();
  r.method = "DELETE";
  EXPECT_EQ(auth_.Authorize(r).refusal, 403);
}

}  // namespace
}  // namespace caregate::console
