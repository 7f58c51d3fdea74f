module zerowatt/workloads/go

go 1.19
