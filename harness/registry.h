/* Self-registration in ELF sections, in the manner of Solo5's modules:
 * adding a target, meter or verb is one new file and touches no list. */
#ifndef ZW_REGISTRY_H
#define ZW_REGISTRY_H

#define ZW_REGISTER(sec, type, var)                                          \
	static const type *const __zw_reg_##sec##_##var                      \
		__attribute__((used, section(#sec), aligned(sizeof(void *)))) = &var

#define ZW_FOREACH(sec, type, it)                                            \
	extern const type *const __start_##sec[];                             \
	extern const type *const __stop_##sec[];                              \
	for (const type *const *it = __start_##sec; it < __stop_##sec; it++)

#endif
