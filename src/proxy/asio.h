// The one place that includes Boost.Asio/Beast. Boost 1.74's
// boost/asio/awaitable.hpp uses std::exchange without including <utility>,
// so <utility> must come first. Include this header only from the few
// translation units that do network I/O (it is expensive to compile).

#ifndef GWANMUN_PROXY_ASIO_H_
#define GWANMUN_PROXY_ASIO_H_

#include <utility>  // must precede Boost.Asio (see above)

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace gwanmun::proxy {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = boost::asio::ip::tcp;
}  // namespace gwanmun::proxy

#endif  // GWANMUN_PROXY_ASIO_H_
