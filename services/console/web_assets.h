// The console's pages, styles and scripts (services/console/web/) and
// Chart.js (Debian's libjs-chart.js), embedded into the binary at build time
// by embed_web_assets.cmake, so the console needs no files at run time.
//
// Immutable data; thread-safe.
#ifndef CAREGATE_SERVICES_CONSOLE_WEB_ASSETS_H_
#define CAREGATE_SERVICES_CONSOLE_WEB_ASSETS_H_

#include <string_view>

namespace caregate::console {

struct WebAsset {
  std::string_view path;          // e.g. "/", "/audit", "/static/console.css"
  std::string_view content_type;  // e.g. "text/html; charset=utf-8"
  std::string_view body;
};

// The asset served at `path`, or nullptr.
const WebAsset* FindWebAsset(std::string_view path);

}  // namespace caregate::console

#endif  // CAREGATE_SERVICES_CONSOLE_WEB_ASSETS_H_
