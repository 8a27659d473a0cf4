# Test binaries of crates.io crates (crates/crates.txt), built by crates/build-crate.sh:
#
#   $(OUT)/crates/<crate>/lib, $(OUT)/crates/<crate>/<integration test>, ...
#   $(OUT)/crates/revme/revme      revm's command-line tool (release build)
#
# `crates` builds the crates of set `test` (what `make test` runs), `crates-full` every crate.
# The published sources are unpacked under $(BUILD)/crates/src and all crates share one cargo
# target directory ($(BUILD)/crates/target): std and common dev-dependencies are compiled
# once. A crate is rebuilt when its version in crates.txt, its lock file or the build script
# changes. Included
# by Makefile (needs OUT and BUILD).

CRATES_TXT := crates/crates.txt
CRATES_TEST := $(shell awk '!/^\#/ && NF && $$3 == "test" { print $$1 }' $(CRATES_TXT))
CRATES_FULL := $(shell awk '!/^\#/ && NF { print $$1 }' $(CRATES_TXT))
crate_version = $(shell awk '$$1 == "$(1)" { print $$2 }' $(CRATES_TXT))
crate_options = $(shell awk '$$1 == "$(1)" { for (i = 4; i <= NF; i++) print $$i }' $(CRATES_TXT))
crate_stamp = $(OUT)/crates/$(1)/.built-$(call crate_version,$(1))
# A crate with the option `select` builds, for `make test`, only the test binaries listed in
# crates/select/<crate>.txt (its own stamp: the full build replaces the directory, and back).
crate_select = $(filter select,$(call crate_options,$(1)))
crate_stamp_test = $(if $(call crate_select,$(1)),$(call crate_stamp,$(1))-select,$(call crate_stamp,$(1)))
REVME_VERSION := 43.0.3
REVME := $(OUT)/crates/revme/revme

.PHONY: crates crates-full
crates: $(foreach c,$(CRATES_TEST),$(call crate_stamp_test,$(c))) $(REVME)
crates-full: $(foreach c,$(CRATES_FULL),$(call crate_stamp,$(c))) $(REVME)

# Cargo serialises builds in the shared target directory itself (and builds each crate's
# dependencies in parallel): make's jobs wait for its lock.
define crate_rule
$(call crate_stamp,$(1)): crates/build-crate.sh $(wildcard crates/locks/$(1).lock)
	nice -n 10 bash crates/build-crate.sh $(1) $(call crate_version,$(1)) $(OUT) $(BUILD) $(call crate_options,$(1))
	@touch $$@
endef
define crate_select_rule
$(call crate_stamp,$(1))-select: crates/build-crate.sh crates/select/$(1).txt $(wildcard crates/locks/$(1).lock)
	nice -n 10 bash crates/build-crate.sh $(1) $(call crate_version,$(1)) $(OUT) $(BUILD) $(call crate_options,$(1)) select=crates/select/$(1).txt
	@touch $$@
endef
$(foreach c,$(CRATES_FULL),$(eval $(call crate_rule,$(c))))
$(foreach c,$(CRATES_FULL),$(if $(call crate_select,$(c)),$(eval $(call crate_select_rule,$(c)))))

$(REVME): crates/build-crate.sh
	nice -n 10 bash crates/build-crate.sh revme $(REVME_VERSION) $(OUT) $(BUILD) bin=revme
	@touch $@
