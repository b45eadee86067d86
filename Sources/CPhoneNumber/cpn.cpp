// The C interface of CPhoneNumber.h over libphonenumber's PhoneNumberUtil.
//
// Thread safety: PhoneNumberUtil::GetInstance() is a leaky singleton created under pthread_once (Debian builds
// libphonenumber with its POSIX lock and singleton), and every method used here is const; the shared regexp cache
// inside takes its own mutex. No exception may cross into Swift, so each entry point catches everything.
#include "CPhoneNumber.h"

#include <cstring>
#include <string>

#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

namespace {

// Uppercases ASCII letters: libphonenumber only knows upper-case region codes.
std::string UpperRegion(const char *region) {
    std::string result = region == nullptr ? "" : region;
    for (char &c : result) {
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    }
    return result;
}

bool IsKnownRegion(const PhoneNumberUtil &util, const std::string &region) {
    // GetCountryCodeForRegion answers 0 for regions without metadata (and for "ZZ" and "001").
    return util.GetCountryCodeForRegion(region) != 0;
}

// Copies `value` and its terminator into `buffer`; false when it does not fit.
bool CopyOut(const std::string &value, char *buffer, size_t capacity) {
    if (value.size() + 1 > capacity) return false;
    std::memcpy(buffer, value.c_str(), value.size() + 1);
    return true;
}

cpn_error MapError(PhoneNumberUtil::ErrorType error) {
    switch (error) {
        case PhoneNumberUtil::NO_PARSING_ERROR: return CPN_OK;
        case PhoneNumberUtil::INVALID_COUNTRY_CODE_ERROR: return CPN_INVALID_COUNTRY_CODE;
        case PhoneNumberUtil::NOT_A_NUMBER: return CPN_NOT_A_NUMBER;
        case PhoneNumberUtil::TOO_SHORT_AFTER_IDD: return CPN_TOO_SHORT_AFTER_IDD;
        case PhoneNumberUtil::TOO_SHORT_NSN: return CPN_TOO_SHORT_NSN;
        case PhoneNumberUtil::TOO_LONG_NSN: return CPN_TOO_LONG;
    }
    return CPN_INTERNAL;
}

cpn_error Fail(cpn_result *out, cpn_error error) {
    std::memset(out, 0, sizeof *out);
    out->error = error;
    return error;
}

// The enums of CPhoneNumber.h copy libphonenumber's values; these keep that true if either ever changes.
static_assert(static_cast<int>(PhoneNumberUtil::UNKNOWN) == CPN_TYPE_UNKNOWN, "cpn_number_type out of step");
static_assert(static_cast<int>(PhoneNumberUtil::VOICEMAIL) == CPN_TYPE_VOICEMAIL, "cpn_number_type out of step");
static_assert(static_cast<int>(PhoneNumberUtil::MOBILE) == CPN_TYPE_MOBILE, "cpn_number_type out of step");
static_assert(static_cast<int>(PhoneNumberUtil::TOO_LONG) == CPN_POSSIBLE_TOO_LONG, "cpn_possibility out of step");
static_assert(static_cast<int>(PhoneNumberUtil::IS_POSSIBLE_LOCAL_ONLY) == CPN_POSSIBLE_LOCAL_ONLY,
              "cpn_possibility out of step");

}  // namespace

extern "C" cpn_error cpn_parse(const char *text, size_t text_length, const char *region, cpn_result *out) {
    if (out == nullptr) return CPN_INTERNAL;
    try {
        const PhoneNumberUtil &util = *PhoneNumberUtil::GetInstance();
        std::string default_region = UpperRegion(region);
        if (default_region.empty()) {
            default_region = "ZZ";  // libphonenumber's "no region": only international numbers parse
        } else if (!IsKnownRegion(util, default_region)) {
            return Fail(out, CPN_UNKNOWN_REGION);
        }
        const std::string input = text == nullptr ? std::string() : std::string(text, text_length);

        PhoneNumber number;
        const cpn_error parsed = MapError(util.Parse(input, default_region, &number));
        if (parsed != CPN_OK) return Fail(out, parsed);

        std::string region_of_number, e164, national, international;
        util.GetRegionCodeForNumber(number, &region_of_number);
        util.Format(number, PhoneNumberUtil::E164, &e164);
        util.Format(number, PhoneNumberUtil::NATIONAL, &national);
        util.Format(number, PhoneNumberUtil::INTERNATIONAL, &international);

        std::memset(out, 0, sizeof *out);
        if (!CopyOut(region_of_number, out->region, sizeof out->region) ||
            !CopyOut(e164, out->e164, sizeof out->e164) ||
            !CopyOut(national, out->national, sizeof out->national) ||
            !CopyOut(international, out->international, sizeof out->international)) {
            return Fail(out, CPN_INTERNAL);
        }
        out->country_code = number.country_code();
        out->is_valid = util.IsValidNumber(number);
        out->possibility = static_cast<cpn_possibility>(util.IsPossibleNumberWithReason(number));
        out->is_possible = out->possibility == CPN_POSSIBLE || out->possibility == CPN_POSSIBLE_LOCAL_ONLY;
        out->type = static_cast<cpn_number_type>(util.GetNumberType(number));
        out->error = CPN_OK;
        return CPN_OK;
    } catch (...) {
        return Fail(out, CPN_INTERNAL);
    }
}

extern "C" cpn_error cpn_e164(const char *text, size_t text_length, char *e164) {
    if (e164 == nullptr) return CPN_INTERNAL;
    e164[0] = 0;
    try {
        const PhoneNumberUtil &util = *PhoneNumberUtil::GetInstance();
        const std::string input = text == nullptr ? std::string() : std::string(text, text_length);
        PhoneNumber number;
        const cpn_error parsed = MapError(util.Parse(input, "ZZ", &number));
        if (parsed != CPN_OK) return parsed;
        std::string formatted;
        util.Format(number, PhoneNumberUtil::E164, &formatted);
        return CopyOut(formatted, e164, CPN_E164_CAPACITY) ? CPN_OK : CPN_INTERNAL;
    } catch (...) {
        return CPN_INTERNAL;
    }
}

extern "C" bool cpn_is_known_region(const char *region) {
    try {
        return IsKnownRegion(*PhoneNumberUtil::GetInstance(), UpperRegion(region));
    } catch (...) {
        return false;
    }
}
