#!/bin/sh
# Job "smoke": proves the guest boots and runs /init (used by the KVM probe).
echo TLBT-SMOKE-OK
