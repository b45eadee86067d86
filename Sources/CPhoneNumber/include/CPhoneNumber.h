// placeholder: the phone-number helper replaces this
#ifdef __cplusplus
extern "C" {
#endif
int cpn_placeholder(void);
#ifdef __cplusplus
}
#endif
