// Typed, non-variadic wrappers around libcurl's variadic entry points.
//
// Swift cannot call C variadic functions such as `curl_easy_setopt`, `curl_easy_getinfo` and `curl_multi_setopt`,
// so each argument type curl accepts gets its own small wrapper. The wrappers only forward; they add no policy.
#ifndef SWITCHBOARD_CCURLSHIM_H
#define SWITCHBOARD_CCURLSHIM_H

#include <curl/curl.h>
#include <stddef.h>

#if defined(__linux__)
// epoll and eventfd for the transfer loop's socket poller; Swift's Glibc module does not include these headers.
#include <sys/epoll.h>
#include <sys/eventfd.h>
#endif

/// The signature of `CURLOPT_WRITEFUNCTION` and `CURLOPT_HEADERFUNCTION` callbacks.
typedef size_t (*ccurl_data_callback)(char *buffer, size_t size, size_t count, void *userdata);

/// The signature of `CURLOPT_READFUNCTION` callbacks.
typedef size_t (*ccurl_read_callback)(char *buffer, size_t size, size_t count, void *userdata);

/// The signature of `CURLOPT_XFERINFOFUNCTION` callbacks.
typedef int (*ccurl_xferinfo_callback)(void *userdata, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                                       curl_off_t ulnow);

// MARK: - Process-wide setup

/// Runs `curl_global_init(CURL_GLOBAL_ALL)` exactly once per process (later calls return the first result) and, in
/// the same one-time step, ignores SIGPIPE unless the program already installed its own handler: a peer closing a
/// TLS connection must not kill the process. Thread-safe.
CURLcode ccurl_global_init_once(void);

/// Names the calling thread (shown by debuggers and `top -H`); at most 15 characters are kept on Linux.
void ccurl_name_current_thread(const char *name);

// MARK: - curl_easy_setopt

CURLcode ccurl_easy_setopt_long(CURL *handle, CURLoption option, long value);
CURLcode ccurl_easy_setopt_string(CURL *handle, CURLoption option, const char *value);
CURLcode ccurl_easy_setopt_ptr(CURL *handle, CURLoption option, void *value);
CURLcode ccurl_easy_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value);
CURLcode ccurl_easy_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value);
/// For `CURLOPT_WRITEFUNCTION` and `CURLOPT_HEADERFUNCTION`.
CURLcode ccurl_easy_setopt_writefunction(CURL *handle, CURLoption option, ccurl_data_callback callback);
/// For `CURLOPT_READFUNCTION`.
CURLcode ccurl_easy_setopt_readfunction(CURL *handle, CURLoption option, ccurl_read_callback callback);
/// For `CURLOPT_XFERINFOFUNCTION`.
CURLcode ccurl_easy_setopt_xferinfofunction(CURL *handle, CURLoption option, ccurl_xferinfo_callback callback);

// MARK: - curl_easy_getinfo

CURLcode ccurl_easy_getinfo_long(CURL *handle, CURLINFO info, long *value);
CURLcode ccurl_easy_getinfo_string(CURL *handle, CURLINFO info, const char **value);
CURLcode ccurl_easy_getinfo_ptr(CURL *handle, CURLINFO info, void **value);
CURLcode ccurl_easy_getinfo_off_t(CURL *handle, CURLINFO info, curl_off_t *value);
CURLcode ccurl_easy_getinfo_double(CURL *handle, CURLINFO info, double *value);

// MARK: - curl_multi_setopt

CURLMcode ccurl_multi_setopt_long(CURLM *handle, CURLMoption option, long value);
CURLMcode ccurl_multi_setopt_ptr(CURLM *handle, CURLMoption option, void *value);
/// For `CURLMOPT_SOCKETFUNCTION`.
CURLMcode ccurl_multi_setopt_socketfunction(CURLM *handle, curl_socket_callback callback);

// MARK: - curl_multi_info_read

/// Reads the next finished transfer from `curl_multi_info_read`, skipping messages other than `CURLMSG_DONE`.
/// Returns 1 and fills `easy` and `result` when one was found, 0 when the queue is empty. Spares Swift from reading
/// the anonymous union inside `CURLMsg`.
int ccurl_multi_next_done(CURLM *handle, CURL **easy, CURLcode *result);

#endif
