#ifndef SWITCHBOARD_CCURL_H
#define SWITCHBOARD_CCURL_H
#include <curl/curl.h>
#endif
