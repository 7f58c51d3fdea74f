# Placeholder until the workloads land.
workloads:
