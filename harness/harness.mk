# The zerowatt CLI: every harness/*.c is linked in; targets, meters and verbs
# register themselves (registry.h), so a new file needs no edit here.
HARNESS_SRCS := $(wildcard harness/*.c)
HARNESS_OBJS := $(HARNESS_SRCS:harness/%.c=$(BUILD)/harness/%.o)
HARNESS_LIBS := -lcjson -linih -lpfm -lpthread -lm

harness: $(BUILD)/zerowatt

$(BUILD)/zerowatt: $(HARNESS_OBJS)
	$(CC) $(CFLAGS) $^ -o $@ $(HARNESS_LIBS)

$(BUILD)/harness/%.o: harness/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

-include $(HARNESS_OBJS:.o=.d)
