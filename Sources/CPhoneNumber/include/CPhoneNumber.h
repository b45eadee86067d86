// A C interface over Google's libphonenumber (C++), for Swift.
//
// Swift's direct C++ interop crashes on libphonenumber's protobuf headers, so every line of C++ stays inside this
// target and Swift sees only this plain C header. Nothing here allocates memory that the caller must free: results
// are written into a caller-owned `cpn_result`. Every function is safe to call from many threads at once.
#ifndef CPHONENUMBER_H
#define CPHONENUMBER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__has_attribute) && __has_attribute(enum_extensibility)
#define CPN_CLOSED_ENUM __attribute__((enum_extensibility(closed)))
#else
#define CPN_CLOSED_ENUM
#endif

/// Why `cpn_parse` failed; `CPN_OK` when it did not. Mirrors `PhoneNumberUtil::ErrorType`, plus two of our own.
typedef enum CPN_CLOSED_ENUM cpn_error {
    CPN_OK = 0,
    /// No country code after `+` or the international prefix, or an unknown one.
    CPN_INVALID_COUNTRY_CODE = 1,
    /// Not a phone number (letters, or no digits to speak of).
    CPN_NOT_A_NUMBER = 2,
    /// Too few digits after the international prefix (`00`, `011`, ...).
    CPN_TOO_SHORT_AFTER_IDD = 3,
    /// Too few digits for a national significant number.
    CPN_TOO_SHORT_NSN = 4,
    /// Too many digits.
    CPN_TOO_LONG = 5,
    /// The default region given is not one libphonenumber knows.
    CPN_UNKNOWN_REGION = 6,
    /// A result did not fit its buffer or libphonenumber threw; should never happen.
    CPN_INTERNAL = 7,
} cpn_error;

/// The number's type. Mirrors `PhoneNumberUtil::PhoneNumberType` value for value.
typedef enum CPN_CLOSED_ENUM cpn_number_type {
    CPN_TYPE_FIXED_LINE = 0,
    CPN_TYPE_MOBILE = 1,
    CPN_TYPE_FIXED_LINE_OR_MOBILE = 2,
    CPN_TYPE_TOLL_FREE = 3,
    CPN_TYPE_PREMIUM_RATE = 4,
    CPN_TYPE_SHARED_COST = 5,
    CPN_TYPE_VOIP = 6,
    CPN_TYPE_PERSONAL_NUMBER = 7,
    CPN_TYPE_PAGER = 8,
    CPN_TYPE_UAN = 9,
    CPN_TYPE_VOICEMAIL = 10,
    CPN_TYPE_UNKNOWN = 11,
} cpn_number_type;

/// Whether the number's length fits its country. Mirrors `PhoneNumberUtil::ValidationResult` value for value.
typedef enum CPN_CLOSED_ENUM cpn_possibility {
    /// The length fits.
    CPN_POSSIBLE = 0,
    /// Only dialable inside an area (the area code is missing).
    CPN_POSSIBLE_LOCAL_ONLY = 1,
    /// The country code has no metadata.
    CPN_POSSIBLE_INVALID_COUNTRY_CODE = 2,
    /// Shorter than every number of the country.
    CPN_POSSIBLE_TOO_SHORT = 3,
    /// Between the shortest and longest lengths of the country, but not one of them.
    CPN_POSSIBLE_INVALID_LENGTH = 4,
    /// Longer than every number of the country.
    CPN_POSSIBLE_TOO_LONG = 5,
} cpn_possibility;

/// Buffer sizes, terminating NUL included. E.164 is at most 16 characters, but a leniently parsed number may carry up
/// to 17 national digits; formatted numbers may carry an extension.
#define CPN_REGION_CAPACITY 8
#define CPN_E164_CAPACITY 32
#define CPN_FORMAT_CAPACITY 128

/// What `cpn_parse` learned. When `error` is not `CPN_OK`, every other field is zero.
typedef struct cpn_result {
    cpn_error error;
    /// Country calling code, e.g. 44.
    int32_t country_code;
    /// Valid per the library's (possibly outdated) metadata.
    bool is_valid;
    /// `possibility` is `CPN_POSSIBLE` or `CPN_POSSIBLE_LOCAL_ONLY`.
    bool is_possible;
    cpn_possibility possibility;
    cpn_number_type type;
    /// ISO 3166 alpha-2 region of the number, "001" for non-geographic numbers, "ZZ" when unknown.
    char region[CPN_REGION_CAPACITY];
    /// "+4915123456789"
    char e164[CPN_E164_CAPACITY];
    /// "0151 23456789"
    char national[CPN_FORMAT_CAPACITY];
    /// "+49 151 23456789"
    char international[CPN_FORMAT_CAPACITY];
} cpn_result;

/// Parses `text_length` bytes of UTF-8 `text` (NUL bytes included, no terminator needed) into `*out`.
///
/// `region` is the ISO 3166 alpha-2 region (any case) for numbers written without a country code; NULL or "" means
/// none, so only numbers with `+` or an international prefix parse. Returns `out->error`.
cpn_error cpn_parse(const char *text, size_t text_length, const char *region, cpn_result *out);

/// Parses like `cpn_parse` with no region (only numbers with `+` or an international prefix) and writes just the
/// E.164 form, NUL-terminated, into `e164` (`CPN_E164_CAPACITY` bytes). Skips what `cpn_parse` adds (validity,
/// type, national and international formats, each several regular expressions): for the hot path that only
/// needs the key a number is stored by. Succeeds exactly when `cpn_parse(text, text_length, NULL, …)` does.
cpn_error cpn_e164(const char *text, size_t text_length, char *e164);

/// Whether libphonenumber has metadata for this ISO 3166 alpha-2 region (any case).
bool cpn_is_known_region(const char *region);

#ifdef __cplusplus
}
#endif

#endif  // CPHONENUMBER_H
