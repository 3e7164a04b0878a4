/** The single controller object's name: one migration, one authority. */
export const CONTROLLER_NAME = 'migration';
