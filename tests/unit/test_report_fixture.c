#include "test_report_fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char fixture_root[64];

static const char alpha_meta[] =
	"{\"host\": \"alpha\", \"cpu_model\": \"Test CPU 9000\", \"cpus_online\": 2,\n"
	" \"mem_total_bytes\": 2147483648, \"kernel\": \"6.1.0-test\", \"accelerator\": \"tcg\",\n"
	" \"accelerator_reason\": \"guest 4000x slower\", \"git_commit\": \"0123456789abcdef\",\n"
	" \"git_dirty\": false, \"tools\": {\"gnuplot\": \"gnuplot 5.4\", \"wrk\": \"wrk 4.1\"},\n"
	" \"energy\": {\"source\": \"model:ccf\", \"method\": \"estimated\", \"boundary\": \"model\",\n"
	"   \"note\": \"CCF linear model\", \"probed\": [\n"
	"   {\"meter\": \"powercap\", \"verdict\": \"missing\", \"chosen\": false, \"reason\": \"no RAPL\"},\n"
	"   {\"meter\": \"model\", \"verdict\": \"ok\", \"chosen\": true, \"reason\": \"CCF\"}]},\n"
	" \"doctor\": [{\"name\": \"kvm\", \"status\": \"unusable\", \"detail\": \"nested | slow\", \"fix\": \"bare metal\"}],\n"
	" \"skipped_targets\": {\"vm\": \"kernel package missing\"},\n"
	" \"host_state_warnings\": [\"turbo changed during the run: on -> off\"]}\n";

/* Boot: native 1..6 ms, container 10..60 ms (median ratio 10x); one
 * unavailable energy row; load with estimated energy; syscall ops; a power
 * series out of time order; scale with two policies; density. */
static const char alpha_csv[] =
	"experiment,target,metric,value,unit,repetition,method,source,boundary,phase,t_s\n"
	"boot,native,first_200_ms,1,ms,0,measured,clock:monotonic,,,\n"
	"boot,container,first_200_ms,10,ms,0,measured,clock:monotonic,,,\n"
	"boot,native,first_200_ms,2,ms,1,measured,clock:monotonic,,,\n"
	"boot,container,first_200_ms,20,ms,1,measured,clock:monotonic,,,\n"
	"boot,native,first_200_ms,3,ms,2,measured,clock:monotonic,,,\n"
	"boot,container,first_200_ms,30,ms,2,measured,clock:monotonic,,,\n"
	"boot,native,first_200_ms,4,ms,3,measured,clock:monotonic,,,\n"
	"boot,container,first_200_ms,40,ms,3,measured,clock:monotonic,,,\n"
	"boot,native,first_200_ms,5,ms,4,measured,clock:monotonic,,,\n"
	"boot,container,first_200_ms,50,ms,4,measured,clock:monotonic,,,\n"
	"boot,native,first_200_ms,6,ms,5,measured,clock:monotonic,,,\n"
	"boot,container,first_200_ms,60,ms,5,measured,clock:monotonic,,,\n"
	"boot,native,ready_ms,0.5,ms,0,measured,clock:monotonic,,,\n"
	"boot,native,energy_j,,J,0,unavailable,none,,,\n"
	"boot,host,power_w,3,W,0,estimated,model:ccf,model,baseline,0.5\n"
	"boot,host,power_w,2,W,0,estimated,model:ccf,model,baseline,0.0\n"
	"boot,host,power_w,6,W,0,estimated,model:ccf,model,load:native,1.0\n"
	"boot,host,power_w,7,W,0,estimated,model:ccf,model,load:native,1.5\n"
	"boot,host,power_w,4,W,0,estimated,model:ccf,model,between,2.0\n"
	"boot,host,power_w,5,W,0,estimated,model:ccf,model,idle:container,2.5\n"
	"load,native,requests_per_s,1000,req/s,0,measured,wrk,,,\n"
	"load,native,requests_per_s,1200,req/s,1,measured,wrk,,,\n"
	"load,container,requests_per_s,800,req/s,0,measured,wrk,,,\n"
	"load,native,p50_us,100,us,0,measured,wrk,,,\n"
	"load,native,p99_us,900,us,0,measured,wrk,,,\n"
	"load,native,energy_per_request_j,0.002,J,0,estimated,model:ccf,model,,\n"
	"load,container,energy_per_request_j,0.003,J,0,estimated,model:ccf,model,,\n"
	"load,host,baseline_power_w,1.5,W,0,estimated,model:ccf,model,,\n"
	"syscall,native,getppid_ns,150,ns,0,measured,sysbench:syscall,,,\n"
	"syscall,native,write_ns,170,ns,0,measured,sysbench:syscall,,,\n"
	"syscall,container,getppid_ns,160,ns,0,measured,sysbench:syscall,,,\n"
	"scale,native/keep-alive:30,offered_rate,1,req/s,0,measured,trace,,,\n"
	"scale,native/keep-alive:30,energy_per_request_j,0.5,J,0,estimated,model:ccf,model,,\n"
	"scale,native/keep-alive:30,offered_rate,10,req/s,1,measured,trace,,,\n"
	"scale,native/keep-alive:30,energy_per_request_j,0.1,J,1,estimated,model:ccf,model,,\n"
	"scale,native/immediate,offered_rate,1,req/s,0,measured,trace,,,\n"
	"scale,native/immediate,energy_per_request_j,0.2,J,0,estimated,model:ccf,model,,\n"
	"scale,native,e_cold_j,0.01,J,0,estimated,model:ccf,model,,\n"
	"scale,native,p_warm_w,0.002,W,0,estimated,model:ccf,model,,\n"
	"scale,native,t_star_s,5,s,0,estimated,model:ccf,model,,\n"
	"scale,container,t_star_s,50,s,0,estimated,model:ccf,model,,\n"
	"scale,unikernel,t_star_s,,s,0,unavailable,model:ccf,model,,\n"
	"scale,unikernel,t_star_min_s,100,s,0,estimated,model:ccf,model,,\n"
	"scale,native,cold_ms,30,ms,0,measured,waker:client,,,\n"
	"scale,native,cold_ms,32,ms,1,measured,waker:client,,,\n"
	"scale,native,warm_ms,1,ms,0,measured,waker:client,,,\n"
	"scale,container,cold_ms,300,ms,0,measured,waker:client,,,\n"
	"scale,container,warm_ms,1.5,ms,0,measured,waker:client,,,\n"
	"density,native,instances_per_gib,900,1/GiB,0,measured,meminfo,,,\n"
	"density,container,instances_per_gib,80,1/GiB,0,measured,meminfo,,,\n"
	"density,native,idle_w_per_100,0.5,W,0,estimated,model:ccf,model,,\n"
	"density,container,idle_w_per_100,0.9,W,0,estimated,model:ccf,model,,\n";

static const char beta_meta[] = "{\"host\": \"beta\", \"cpu_model\": \"Other CPU\", \"accelerator\": \"kvm\"}\n";
static const char beta_csv[] =
	"experiment,target,metric,value,unit,repetition,method,source,boundary,phase,t_s\n"
	"boot,native,first_200_ms,2,ms,0,measured,clock:monotonic,,,\n"
	"boot,native,first_200_ms,2,ms,1,measured,clock:monotonic,,,\n"
	"boot,vm,first_200_ms,3000,ms,0,measured,clock:monotonic,,,\n"
	"boot,vm,first_200_ms,3200,ms,1,measured,clock:monotonic,,,\n";

int fixture_write(const char *rel, const char *text)
{
	char path[256], dir[256];
	snprintf(path, sizeof(path), "%s/%s", fixture_root, rel);
	snprintf(dir, sizeof(dir), "%s", path);
	char *slash = strrchr(dir, '/');
	*slash = '\0';
	mkdir(dir, 0755);
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

int fixture_make(void)
{
	snprintf(fixture_root, sizeof(fixture_root), "/tmp/zw-test-report-XXXXXX");
	if (!mkdtemp(fixture_root))
		return -1;
	return fixture_write("run-alpha/meta.json", alpha_meta) | fixture_write("run-alpha/samples.csv", alpha_csv) |
	       fixture_write("run-beta/meta.json", beta_meta) | fixture_write("run-beta/samples.csv", beta_csv);
}

void fixture_remove(void)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", fixture_root);
	if (fixture_root[0] && system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", fixture_root);
}

const char *fixture_path(const char *name, int slot)
{
	static char buf[4][256];
	snprintf(buf[slot & 3], sizeof(buf[0]), "%s/%s", fixture_root, name);
	return buf[slot & 3];
}
