import { prepareServiceTemplates } from '@oms/testing';

export default prepareServiceTemplates;
