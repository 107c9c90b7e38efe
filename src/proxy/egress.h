// Egress proxy settings (HTTPS_PROXY, HTTP_PROXY, NO_PROXY), kept apart from
// the Asio-heavy upstream client so they can be used and tested cheaply.

#ifndef GWANMUN_PROXY_EGRESS_H_
#define GWANMUN_PROXY_EGRESS_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace gwanmun::proxy {

// Proxy settings from HTTPS_PROXY/https_proxy, HTTP_PROXY/http_proxy and
// NO_PROXY/no_proxy (the lower-case names win, as with curl).
struct ProxyEnv {
  std::string https_proxy;
  std::string http_proxy;
  std::string no_proxy;
  static ProxyEnv FromEnvironment();
};

// NO_PROXY semantics (as curl): comma/space separated entries; "*" matches
// everything; "example.com" and ".example.com" match the domain and its
// subdomains; an entry may carry ":port"; IP literals match exactly.
bool NoProxyMatches(std::string_view no_proxy, std::string_view host, uint16_t port);

}  // namespace gwanmun::proxy

#endif  // GWANMUN_PROXY_EGRESS_H_
