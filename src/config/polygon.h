#pragma once

// Mask and zone coordinate parsing (spec §2.6): "x1,y1,x2,y2,..." strings of integers, or lists of
// them; zone coordinates may also be a list of "x,y" strings. Problems are reported under the key
// path given.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "config/document.h"
#include "config/schema_reader.h"

namespace corvette::config {

// One polygon from "x1,y1,x2,y2,...": integers (spaces around them allowed), an even count, >= 3
// points.
std::optional<Polygon> ParsePolygonString(std::string_view text, const std::string& path,
                                          Diagnostics& diag);

struct ParsedMask {
  Document raw;                      // as written: null, a string or a list of strings
  std::vector<std::string> strings;  // the non-empty mask strings, in order
  Mask polygons;                     // one per string
};

// A mask value (string or list of strings; "" means no polygon). nullptr/null gives an empty mask.
// Returns nullopt if anything in it is invalid (every problem is reported).
std::optional<ParsedMask> ReadMask(const Document* value, const std::string& path,
                                   Diagnostics& diag);

// Zone coordinates: "x1,y1,x2,y2,..." or a list of "x,y" strings; at least 3 points.
std::optional<Polygon> ReadZoneCoordinates(const Document& value, const std::string& path,
                                           Diagnostics& diag);

// True if any point lies outside [0, width] x [0, height] (a mask drawn for another resolution).
bool PolygonOutside(const Polygon& polygon, int width, int height);

}  // namespace corvette::config
