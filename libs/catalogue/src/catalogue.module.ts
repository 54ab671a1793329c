import { BookingModule } from '@app/booking';
import { Module } from '@nestjs/common';
import { ShowAdminService } from './show-admin.service.js';

@Module({
  imports: [BookingModule],
  providers: [ShowAdminService],
  exports: [ShowAdminService],
})
export class CatalogueModule {}
