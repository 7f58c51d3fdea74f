/* Self-registration in ELF sections, in the manner of Solo5's modules:
 * adding a target, meter or verb is one new file and touches no list. */
#ifndef ZW_REGISTRY_H
#define ZW_REGISTRY_H

#define ZW_REGISTER(section, type, var)                                      \
	static const type *const __zw_reg_##section##_##var                  \
		__attribute__((used, section(#section), aligned(sizeof(void *)))) = &var

#define ZW_FOREACH(section, type, it)                                        \
	extern const type *const __start_##section[];                         \
	extern const type *const __stop_##section[];                          \
	for (const type *const *it = __start_##section; it < __stop_##section; it++)

#endif
