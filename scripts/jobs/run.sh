#!/bin/sh
# Job "run": the full policy matrix with the command-line runner.
exec tlbtorture matrix
