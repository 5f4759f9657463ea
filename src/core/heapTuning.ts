import v8 from 'node:v8';

/**
 * Imaging and file transfers allocate hundreds of megabytes of short-lived buffers a second (each
 * instance read and decrypted). By default V8 starts a full marking of the whole heap for every
 * 64 MB of such memory, which is most of the cost of sending a CT series: measured, a 300-slice
 * series spent more time in garbage collection than in reading and decrypting. Counting it in the
 * heap's global limit instead lets short-lived buffers go with ordinary collections. Set before
 * anything else is loaded.
 */
v8.setFlagsFromString('--external-memory-accounted-in-global-limit');
