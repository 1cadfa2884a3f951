#!/bin/sh
# Job "race": only the kernel-path races (tlbt_kpath_race_test), for a
# quick look at one kernel: make race [KVER=...] or run-vm.sh --job race.
/tlbt/bin/tlbt_kpath_race_test
