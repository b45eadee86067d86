#include "CPhoneNumber.h"
extern "C" int cpn_placeholder(void) { return 0; }
