// The engine uses the project-wide Status/Result (src/common/status.h).

#ifndef GWANMUN_DETECT_STATUS_H_
#define GWANMUN_DETECT_STATUS_H_

#include "common/status.h"

namespace gwanmun::detect {
using gwanmun::Result;
using gwanmun::Status;
}  // namespace gwanmun::detect

#endif  // GWANMUN_DETECT_STATUS_H_
