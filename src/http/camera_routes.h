#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "camera/camera.h"
#include "http/router.h"

namespace corvette::http {

// The running cameras by name. Shared with the routes' handlers, which may outlive a request.
using CameraMap = std::map<std::string, std::shared_ptr<camera::Camera>, std::less<>>;

// Registers the live views of spec 9.2: GET /api/<camera> (MJPEG, fps 3 and h 360 by default) and
// /api/<camera>/latest.jpg (h = the frame height by default), with the overlay flags bbox,
// timestamp, zones, mask, motion and regions. An unknown camera is 404 "Camera named <name> not
// found"; h that is not a positive integer or is above 4x the frame height, and fps that is not a
// positive integer or is above 30, are 400 with a message naming the parameter. MJPEG viewers of
// one camera with the same h, fps and flags share one stream: one JPEG per part for all of them.
void AddCameraRoutes(Router& router, std::shared_ptr<const CameraMap> cameras);

}  // namespace corvette::http
