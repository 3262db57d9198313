import { prepareServiceTemplates } from '../src';

export default prepareServiceTemplates;
