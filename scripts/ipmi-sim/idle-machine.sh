# The default machine of a simulated BMC (ipmi_sim's or the lab's Redfish BMC): says what it booted from,
# then idles until power off (SIGTERM). chassis-control.sh runs it with BMC_PORT, BMC_BOOTDEV and
# BMC_POWER_ON_COUNT set.
echo "$(date +%FT%T) machine $BMC_PORT on: bootdev=$BMC_BOOTDEV power-on=$BMC_POWER_ON_COUNT"
trap 'echo "$(date +%FT%T) machine $BMC_PORT off"; kill $nap 2>/dev/null; exit 0' TERM INT
while :; do sleep 1000 & nap=$!; wait $nap; done
