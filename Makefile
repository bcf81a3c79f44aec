# The README's two commands. Each installs missing Debian packages first, then
# configures and builds in build/.
BUILD ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
PKGS = cmake make clang pkg-config openssl android-libboringssl-dev libyaml-dev libcmocka-dev libjansson-dev
# Only the tests need these: a real browser for the HTML report check, xmllint
# for the JUnit report, a JSON Schema validator for the JSON report.
TEST_PKGS = chromium libxml2-utils python3-jsonschema
REPORT ?= $(BUILD)/report

.PHONY: all deps test-deps build test run clean format

all: build

test-deps:
	@$(MAKE) --no-print-directory deps PKGS="$(PKGS) $(TEST_PKGS)"

deps:
	@missing=$$(for p in $(PKGS); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

$(BUILD)/CMakeCache.txt: | deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Debug -DTH_SANITIZE=ON

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

test: test-deps build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# The conformance run: every scenario against BoringSSL and our own stack,
# with the committed expectations file; reports under $(REPORT).
run: build
	$(BUILD)/tlsharness run --report $(REPORT)

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD)
