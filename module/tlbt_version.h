/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one version of tlbtorture: the module's MODULE_VERSION, the
 * runner's --version and its reports. dkms.conf's PACKAGE_VERSION must
 * equal it (scripts/host-checks.sh).
 */
#ifndef TLBT_VERSION_H
#define TLBT_VERSION_H

#define TLBT_VERSION "0.1"

#endif /* TLBT_VERSION_H */
