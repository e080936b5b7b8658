#include "http/router.h"

#include <gtest/gtest.h>

#include <random>
#include <stdexcept>

#include "http/api_handlers.h"

namespace corvette::http {
namespace {

Handler Answer(std::string name) {
  return [name](const Request& request) {
    std::string text = name;
    for (const auto& [key, value] : request.path_params)
      text += " " + key + "=" + value;
    return Response::Text(200, text);
  };
}

class RouterTest : public testing::Test {
 protected:
  RouterTest() {
    // Registered in an unhelpful order on purpose: precedence must not depend on it.
    router_.Get("/api/<camera>", Answer("mjpeg"));
    router_.Get("/api/<camera>/<label>/best.jpg", Answer("best"));
    router_.Get("/api/<camera>/latest.jpg", Answer("latest"));
    router_.Get("/api/events/<id>", Answer("event"));
    router_.Get("/api/events/<id>/thumbnail.jpg", Answer("thumbnail"));
    router_.Get("/api/events", Answer("events"));
    router_.Get("/api/stats", Answer("stats"));
    router_.Get("/api/events/summary", Answer("summary"));
    router_.Get("/api/", Answer("health"));
    AddApiHeaders(router_);
  }
  std::string Body(std::string_view target, std::string_view method = "GET") {
    return router_.Handle(method, target).body;
  }
  Router router_;
};

TEST_F(RouterTest, LiteralRoutesWinOverCameraNames) {
  EXPECT_EQ(Body("/api/stats"), "stats");
  EXPECT_EQ(Body("/api/events"), "events");
  EXPECT_EQ(Body("/api/back"), "mjpeg camera=back");
  EXPECT_EQ(Body("/api/events/summary"), "summary");
  EXPECT_EQ(Body("/api/events/1623643750.569992-64ji22"), "event id=1623643750.569992-64ji22");
}

TEST_F(RouterTest, FirstDifferingSegmentDecides) {
  // events/<id> beats <camera>/latest.jpg, as in 0.8 (werkzeug's rule order).
  EXPECT_EQ(Body("/api/events/latest.jpg"), "event id=latest.jpg");
  EXPECT_EQ(Body("/api/back/latest.jpg"), "latest camera=back");
  EXPECT_EQ(Body("/api/events/abc/thumbnail.jpg"), "thumbnail id=abc");
  EXPECT_EQ(Body("/api/back/person/best.jpg"), "best camera=back label=person");
}

TEST_F(RouterTest, HealthRouteNeedsItsTrailingSlash) {
  EXPECT_EQ(Body("/api/"), "health");
  EXPECT_EQ(router_.Handle("GET", "/api").status, 404);
}

TEST_F(RouterTest, ParamsAreDecodedPerSegment) {
  EXPECT_EQ(Body("/api/front%20door/latest.jpg?h=10"), "latest camera=front door");
  EXPECT_EQ(Body("/api/a%2Fb/latest.jpg"), "latest camera=a/b");
}

TEST_F(RouterTest, UnknownPathIs404WithPlainText) {
  Response response = router_.Handle("GET", "/api/back/person/best.jpg/extra");
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(response.body, "Not Found");
  EXPECT_EQ(router_.Handle("GET", "/nothing").status, 404);
  EXPECT_EQ(router_.Handle("GET", "/api/back/latest.png").status, 404);
  EXPECT_EQ(router_.Handle("GET", "/api//latest.jpg").status, 404);
}

TEST_F(RouterTest, OtherMethodsAre405WithAllow) {
  for (const char* method : {"POST", "PUT", "DELETE", "PATCH"}) {
    Response response = router_.Handle(method, "/api/stats");
    EXPECT_EQ(response.status, 405) << method;
    ASSERT_NE(response.FindHeader("Allow"), nullptr);
    EXPECT_EQ(*response.FindHeader("allow"), "GET, HEAD");
  }
  EXPECT_EQ(router_.Handle("POST", "/no/such/path").status, 405);
  EXPECT_EQ(router_.Handle("OPTIONS", "/no/such/path").status, 405);  // not a cross-origin path
}

TEST_F(RouterTest, CrossOriginPreflightUnderApiIs204WithWhatABrowserNeeds) {
  for (const char* target : {"/api/stats", "/api/events?limit=1", "/api/no/such/route/at/all"}) {
    Response response =
        router_.Handle("OPTIONS", target,
                       {{"Origin", "http://ha.local"}, {"Access-Control-Request-Method", "GET"}});
    EXPECT_EQ(response.status, 204) << target;
    EXPECT_EQ(response.BodyView(), "");
    ASSERT_NE(response.FindHeader("Access-Control-Allow-Origin"), nullptr);
    EXPECT_EQ(*response.FindHeader("Access-Control-Allow-Origin"), "*");
    EXPECT_EQ(*response.FindHeader("Access-Control-Allow-Methods"), "GET, HEAD, OPTIONS");
    EXPECT_EQ(*response.FindHeader("Access-Control-Allow-Headers"), "Range, Content-Type");
    EXPECT_EQ(*response.FindHeader("Access-Control-Max-Age"), "86400");
  }
  // A video element seeking a clip from another origin needs to read these.
  Response get = router_.Handle("GET", "/api/stats");
  ASSERT_NE(get.FindHeader("Access-Control-Expose-Headers"), nullptr);
  EXPECT_NE(get.FindHeader("Access-Control-Expose-Headers")->find("Content-Range"),
            std::string::npos);
}

TEST_F(RouterTest, HeadRunsTheGetHandler) {
  Response response = router_.Handle("HEAD", "/api/stats");
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "stats");
}

TEST_F(RouterTest, ApiResponsesCarryNginxHeadersEvenOnErrors) {
  for (const char* target : {"/api/stats", "/api/a/b/c/d/e"}) {
    Response response = router_.Handle("GET", target);
    ASSERT_NE(response.FindHeader("Access-Control-Allow-Origin"), nullptr) << target;
    EXPECT_EQ(*response.FindHeader("Access-Control-Allow-Origin"), "*");
    EXPECT_EQ(*response.FindHeader("Cache-Control"), "no-store");
  }
  EXPECT_EQ(router_.Handle("GET", "/other").FindHeader("Cache-Control"), nullptr);
}

TEST_F(RouterTest, UndecodablePathIs400) {
  EXPECT_EQ(router_.Handle("GET", "/api/bad%zz").status, 400);
  EXPECT_EQ(router_.Handle("GET", "/api/nul%00").status, 400);
  EXPECT_EQ(router_.Handle("GET", "*").status, 400);
}

TEST(RouterErrorsTest, HttpErrorBecomesItsStatusAndOtherExceptions500) {
  Router router;
  router.Get("/api/<camera>/latest.jpg", [](const Request& request) -> Response {
    request.query.GetInt("h", 1, 10000);
    throw HttpError(404, "Camera named " + request.Param("camera") + " not found");
  });
  router.Get("/boom", [](const Request&) -> Response { throw std::runtime_error("boom"); });
  Response bad_h = router.Handle("GET", "/api/x/latest.jpg?h=abc");
  EXPECT_EQ(bad_h.status, 400);
  EXPECT_EQ(bad_h.body, "h: must be an integer from 1 to 10000 (got 'abc')");
  Response not_found = router.Handle("GET", "/api/x/latest.jpg");
  EXPECT_EQ(not_found.status, 404);
  EXPECT_EQ(not_found.body, "Camera named x not found");
  Response boom = router.Handle("GET", "/boom");
  EXPECT_EQ(boom.status, 500);
  EXPECT_EQ(boom.body, "Internal Server Error");
}

TEST(RouterErrorsTest, RequestSeesHeadersAndQuery) {
  Router router;
  router.Get("/echo", [](const Request& request) {
    const std::string* range = request.FindHeader("range");
    return Response::Text(
        200, (range ? *range : "-") + "|" + request.query.GetString("x").value_or("-"));
  });
  EXPECT_EQ(router.Handle("GET", "/echo?x=a+b", {{"Range", "bytes=0-1"}}).body, "bytes=0-1|a b");
}

TEST(FoundationApiTest, AnswersHealthVersionConfigAndStats) {
  Router router;
  RegisterFoundationApi(router, {"0.1.0-abc",
                                 [] {
                                   return nlohmann::json{{"cameras", {}}};
                                 },
                                 [] {
                                   return nlohmann::json{{"detection_fps", 0.0}};
                                 }});
  Response health = router.Handle("GET", "/api/");
  EXPECT_EQ(health.body, "Frigate is running. Alive and healthy!");
  EXPECT_EQ(router.Handle("GET", "/api/version").body, "0.1.0-abc");
  Response config = router.Handle("GET", "/api/config");
  EXPECT_EQ(config.content_type, "application/json");
  EXPECT_EQ(nlohmann::json::parse(config.body), (nlohmann::json{{"cameras", {}}}));
  EXPECT_EQ(nlohmann::json::parse(router.Handle("GET", "/api/stats").body)["detection_fps"], 0.0);
}

// Untrusted bytes in the target never crash the router or the query parser, and every answer is
// one of the statuses it documents.
TEST(RouterRobustnessTest, RandomTargetsGetDocumentedStatuses) {
  Router router;
  router.Get("/api/<camera>/latest.jpg", [](const Request& request) {
    request.query.GetInt("h", 1, 10000);
    request.query.GetNumber("after");
    request.query.GetFlag("bbox");
    return Response::Text(200, request.Param("camera"));
  });
  router.Get("/api/stats", [](const Request&) { return Response::Text(200, "stats"); });
  std::mt19937 random(1234);
  constexpr char kAlphabet[] = "/%?&=+;<>.apilstj0123456789AFaf\x00 \x7f\xff";
  const std::string alphabet(kAlphabet, sizeof kAlphabet - 1);  // with the NUL
  for (int i = 0; i < 20000; ++i) {
    std::string target = i % 2 ? "/api/" : "";
    int length = static_cast<int>(random() % 40);
    for (int j = 0; j < length; ++j)
      target.push_back(alphabet[random() % alphabet.size()]);
    const char* method = i % 7 == 0 ? "POST" : "GET";
    int status = router.Handle(method, target).status;
    EXPECT_TRUE(status == 200 || status == 400 || status == 404 || status == 405)
        << status << " for " << target;
  }
}

}  // namespace
}  // namespace corvette::http
