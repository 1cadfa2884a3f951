#!/bin/sh
# TEMPORARY
echo "<4>WARNING: CPU: 0 PID: 1 at fake/test.c:1 tlbt_fake+0x0/0x0" > /dev/kmsg
exit 0
