# Finds BoringSSL: a user's build via -DBORINGSSL_ROOT, else Debian's
# android-libboringssl-dev. Defines the imported targets th::crypto and th::ssl.
set(BORINGSSL_ROOT "" CACHE PATH "Root of a BoringSSL build (include/ and lib/ or build/)")

if(BORINGSSL_ROOT)
    set(_bssl_inc_hints "${BORINGSSL_ROOT}/include")
    set(_bssl_lib_hints "${BORINGSSL_ROOT}/lib" "${BORINGSSL_ROOT}/build"
                        "${BORINGSSL_ROOT}/build/crypto" "${BORINGSSL_ROOT}/build/ssl")
    set(_bssl_find_opts NO_DEFAULT_PATH)
else()
    set(_bssl_inc_hints /usr/include/android)
    set(_bssl_lib_hints /usr/lib/${CMAKE_LIBRARY_ARCHITECTURE}/android)
    set(_bssl_find_opts NO_DEFAULT_PATH)
endif()

find_path(BORINGSSL_INCLUDE_DIR openssl/is_boringssl.h HINTS ${_bssl_inc_hints} ${_bssl_find_opts})
find_library(BORINGSSL_CRYPTO_LIBRARY crypto HINTS ${_bssl_lib_hints} ${_bssl_find_opts})
find_library(BORINGSSL_SSL_LIBRARY ssl HINTS ${_bssl_lib_hints} ${_bssl_find_opts})

if(NOT BORINGSSL_INCLUDE_DIR OR NOT BORINGSSL_CRYPTO_LIBRARY OR NOT BORINGSSL_SSL_LIBRARY)
    message(FATAL_ERROR "BoringSSL not found (include: ${BORINGSSL_INCLUDE_DIR}, "
        "crypto: ${BORINGSSL_CRYPTO_LIBRARY}, ssl: ${BORINGSSL_SSL_LIBRARY}). "
        "Install android-libboringssl-dev or pass -DBORINGSSL_ROOT=<your build>.")
endif()

get_filename_component(BORINGSSL_LIB_DIR "${BORINGSSL_CRYPTO_LIBRARY}" DIRECTORY)
message(STATUS "BoringSSL: ${BORINGSSL_INCLUDE_DIR}, ${BORINGSSL_LIB_DIR}")

# A static BoringSSL (a user's or OSS-Fuzz's build) needs the C++ runtime and
# threads; the Debian package is shared and brings its own.
set(_bssl_extra "")
if(BORINGSSL_CRYPTO_LIBRARY MATCHES "\\.a$")
    find_package(Threads REQUIRED)
    set(_bssl_extra Threads::Threads stdc++)
endif()

add_library(th::crypto UNKNOWN IMPORTED)
set_target_properties(th::crypto PROPERTIES
    IMPORTED_LOCATION "${BORINGSSL_CRYPTO_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${BORINGSSL_INCLUDE_DIR}"
    INTERFACE_LINK_LIBRARIES "${_bssl_extra}")
add_library(th::ssl UNKNOWN IMPORTED)
set_target_properties(th::ssl PROPERTIES
    IMPORTED_LOCATION "${BORINGSSL_SSL_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${BORINGSSL_INCLUDE_DIR}"
    INTERFACE_LINK_LIBRARIES th::crypto)

# BoringSSL's headers must win over OpenSSL 3's in /usr/include: put them first
# on every compile line, before any system directory.
include_directories(BEFORE SYSTEM "${BORINGSSL_INCLUDE_DIR}")
# Binaries find the shared libraries without LD_LIBRARY_PATH.
set(CMAKE_BUILD_RPATH "${BORINGSSL_LIB_DIR}")
set(CMAKE_INSTALL_RPATH "${BORINGSSL_LIB_DIR}")
