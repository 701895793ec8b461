/* Human-readable status strings: the reason text of the firmware's `e` lines. */
#include "microlm.h"

const char *mlm_status_str(mlm_status s)
{
    switch (s) {
    case MLM_OK: return "ok";
    case MLM_E_MAGIC: return "bad magic (empty partition or not a microlm model)";
    case MLM_E_SIZE: return "model length invalid or past partition";
    case MLM_E_CRC: return "model crc mismatch";
    case MLM_E_FORMAT: return "model format invalid";
    case MLM_E_CONFIG: return "model config invalid";
    case MLM_E_TENSOR: return "model tensor missing or malformed";
    case MLM_E_ARENA: return "arena too small";
    case MLM_E_PROMPT: return "prompt too long";
    case MLM_E_ARG: return "bad argument";
    case MLM_E_TOKENIZER: return "model tokenizer invalid";
    case MLM_E_GRAMMAR: return "model grammar invalid";
    }
    return "unknown status";
}
