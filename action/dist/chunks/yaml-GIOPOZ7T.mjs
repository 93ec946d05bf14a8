import { createRequire as __modelregCreateRequire } from 'node:module'; const require = __modelregCreateRequire(import.meta.url);
import{a as d}from"./chunk-Z3GHHKFK.mjs";import{d as a,e as b,f as c}from"./chunk-TEFF6RMJ.mjs";import"./chunk-NOFE7CYK.mjs";export{a as DEFAULT_YAML_LIMITS,b as escapePointer,d as parseManifestYaml,c as positionOf};
