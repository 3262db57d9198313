/** dist/healthcheck.js of the image: exits 0 when this app's health check answers on localhost. */
import { runHealthcheck } from '@oms/platform/healthcheck';

await runHealthcheck({ protocol: 'grpc', portVariable: 'PORT', defaultPort: 50052 });
