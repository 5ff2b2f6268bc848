export * from '../../src/testing';
