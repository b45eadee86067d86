// placeholder: the Curl helper replaces this
#include <curl/curl.h>
