#pragma once

// Boost.Beast and Asio for the http module. Boost 1.74's asio/awaitable.hpp uses std::exchange
// without including <utility>, which C++20 mode exposes: include it first.

// clang-format off
#include <utility>
#include <string_view>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
// clang-format on

namespace corvette::http {

inline std::string_view ToStringView(boost::beast::string_view text) {
  return {text.data(), text.size()};
}

}  // namespace corvette::http
